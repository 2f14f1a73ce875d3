package io.resnet4j.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import io.resnet4j.data.Cifar10;
import io.resnet4j.data.CifarData;
import io.resnet4j.data.ImageFolder;
import io.resnet4j.files.RunLock;
import io.resnet4j.data.Split;
import io.resnet4j.model.ResNet;
import io.resnet4j.model.ResNetConfig;
import io.resnet4j.model.ResNetFamily;
import io.resnet4j.model.Shortcut;
import io.resnet4j.model.Stem;
import io.resnet4j.model.StridePlacement;
import io.resnet4j.train.CifarTrainingData;
import io.resnet4j.train.CurvesListener;
import io.resnet4j.train.FineTuning;
import io.resnet4j.train.ImageFolderTrainingData;
import io.resnet4j.train.InvalidConfigException;
import io.resnet4j.train.MetricsCsv;
import io.resnet4j.train.ProgressReporter;
import io.resnet4j.train.Recipe;
import io.resnet4j.train.RunJson;
import io.resnet4j.train.RunState;
import io.resnet4j.train.TrainConfig;
import io.resnet4j.train.Trainer;
import io.resnet4j.train.TrainingCheckpoints;
import io.resnet4j.train.TrainingData;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code resnet4j train}: the recipe made for the data (or for fine-tuning), every value an option. */
@Command(name = "train", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, sortOptions = false,
        resourceBundle = "io.resnet4j.cli.RecipeHelp",
        description = {"Train a network with the recipe made for its data; every value is an option.",
            "CIFAR data, the paper's recipe (section 4.2): ${bundle:cifar}.",
            "Image folders, the paper's ImageNet recipe (section 3.4): ${bundle:imagenet}.",
            "Fine-tuning (--init): ${bundle:fine-tune}.",
            "--epochs N or --iterations N changes the budget; the recipe's learning-rate drops keep their place as"
                + " fractions of it.",
            "SIGTERM, SIGINT (Ctrl-C) or SIGHUP finish the current step, write a checkpoint and exit with 128 + the"
                + " signal within --grace-seconds; a second signal exits at once. Checkpoints are also written every"
                + " --checkpoint-minutes, so a SIGKILL loses at most that.",
            "--resume RUN_DIR continues any stopped run from its newest complete checkpoint (or from iteration 0 if it"
                + " stopped before one) with its recorded configuration; only the budget, the cadences, --workers,"
                + " --threads, --device, --stop-after and --grace-seconds may change, and are recorded."})
final class TrainCommand implements Callable<Integer> {

    /** The flag of each {@link TrainConfig.Builder} parameter, to point a configuration error at what to change. */
    private static final Map<String, String> FLAGS = Map.ofEntries(Map.entry("batchSize", "--batch-size"),
            Map.entry("learningRate", "--lr"), Map.entry("momentum", "--momentum"),
            Map.entry("weightDecay", "--weight-decay"), Map.entry("iterations", "--iterations"),
            Map.entry("epochs", "--epochs"), Map.entry("milestones", "--milestones"), Map.entry("warmup", "--warmup-lr"),
            Map.entry("plateauPatience", "--plateau-patience"), Map.entry("checkpointEvery", "--checkpoint-every"),
            Map.entry("checkpointMinutes", "--checkpoint-minutes"), Map.entry("keepCheckpoints", "--keep"),
            Map.entry("logEvery", "--log-every"), Map.entry("evalEvery", "--eval-every"),
            Map.entry("workers", "--workers"), Map.entry("accumulate", "--accumulate"),
            Map.entry("frozenPrefix", "--freeze-until"), Map.entry("headLearningRate", "--head-lr"),
            Map.entry("augmentation", "--no-augment"));

    /** Options a resumed run may take: its budget, cadences and how this session runs; all else is recorded. */
    private static final Set<String> RESUMABLE = Set.of("--resume", "--data", "--iterations", "--epochs",
            "--stop-after", "--checkpoint-every", "--checkpoint-minutes", "--keep", "--log-every", "--workers",
            "--threads", "--device", "--grace-seconds", "--verbose", "--task");

    @Option(names = "--model", paramLabel = "MODEL", description = "Model (default: resnet20 for CIFAR data, resnet18 for image folders).")
    String model;

    @Option(names = "--data", paramLabel = "DIR",
            description = "CIFAR-10 binary folder, cifar-10-binary.tar.gz, or an image folder ROOT with ROOT/train/<class>/*.jpg (and ROOT/val/<class>). With --resume: only the run's own data, e.g. at its new place if it moved.")
    Path data;

    @Option(names = "--input", paramLabel = "SIDE", description = "Image-folder training: network input side (default: 224); crops and resizes scale with it.")
    Integer input;

    @Option(names = "--num-classes", paramLabel = "K", description = "Classes of the classifier (default: those of the data); with --init a new head is initialised.")
    Integer numClasses;

    @Option(names = "--init", paramLabel = "WEIGHTS", description = "Start from these weights (resnet4j checkpoint, torchvision .pth, .safetensors, torchvision:NAME) to fine-tune, with the fine-tuning recipe.")
    String init;

    @Option(names = "--freeze-until", paramLabel = "STAGE", description = "Keep the stem and stages up to this one fixed, BN statistics included: conv1, conv2_x .. conv5_x.")
    String freezeUntil;

    @Option(names = "--head-lr", paramLabel = "LR", description = "Learning rate of the classifier (default: the same as --lr); follows the schedule.")
    Float headLr;

    @Option(names = "--accumulate", paramLabel = "N", description = "Micro-batches per SGD step, for batches that do not fit in memory (default: 1).")
    Integer accumulate;

    @Option(names = "--plateau-patience", paramLabel = "N", description = "Divide lr by 10 when validation error has not improved for N evaluations; 0 turns the rule off (default: the recipe's).")
    Integer plateauPatience;

    @Option(names = "--pixel-mean", description = "Image folders: subtract a per-pixel mean image (the paper) instead of the per-channel mean/std.")
    boolean pixelMean;

    @Option(names = "--split", paramLabel = "SPLIT", defaultValue = "train45k",
            description = "Training split: train45k (validate on val5k, the paper's tuning split) or train (all 50k; validate on test if present). Default: ${DEFAULT-VALUE}.")
    String split;

    @Option(names = "--output", paramLabel = "RUN_DIR", description = "Run folder (default: runs/MODEL-TIMESTAMP).")
    Path output;

    @Option(names = "--resume", paramLabel = "RUN_DIR", description = "Continue a stopped run exactly, from its newest complete checkpoint or, if it stopped before one, from iteration 0; a finished run continues only with more --iterations or --epochs.")
    Path resume;

    @Option(names = "--epochs", paramLabel = "N", description = "Budget of N epochs instead of the recipe's iterations.")
    Integer epochs;

    @Option(names = "--iterations", paramLabel = "N", description = "Budget of N iterations (default: the recipe's).")
    Long iterations;

    @Option(names = "--batch-size", paramLabel = "N", description = "Mini-batch size (default: the recipe's).")
    Integer batchSize;

    @Option(names = "--lr", paramLabel = "LR", description = "Learning rate after warm-up (default: the recipe's).")
    Float lr;

    @Option(names = "--milestones", split = ",", paramLabel = "ITER", description = "Iterations where lr is divided by 10, instead of the recipe's drops and plateau rule.")
    List<Long> milestones;

    @Option(names = "--warmup-lr", paramLabel = "LR", description = "Warm-up learning rate until the training error is below 80%% (default: the recipe's; 0 disables).")
    Float warmupLr;

    @Option(names = "--momentum", paramLabel = "MOMENTUM", description = "SGD momentum (default: the recipe's).")
    Float momentum;

    @Option(names = "--weight-decay", paramLabel = "DECAY", description = "Weight decay (default: the recipe's).")
    Float weightDecay;

    @Option(names = "--seed", paramLabel = "SEED", defaultValue = TrainConfig.DEFAULT_SEED + "", description = "Seed of initialisation, order and augmentation (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--shortcut", paramLabel = "A|B|C", description = "Shortcut option (default: the paper's).")
    String shortcut;

    @Option(names = "--stride-on", paramLabel = "1x1|3x3", description = "Bottleneck stride placement (default: 1x1).")
    String strideOn;

    @Option(names = "--zero-init-last-bn", description = "Zero-initialise each residual branch's last BN gamma.")
    boolean zeroInitLastBn;

    @Option(names = "--no-augment", description = "Train on the plain images, without the recipe's augmentation.")
    boolean noAugment;

    @Option(names = "--checkpoint-every", paramLabel = "N", description = "Iterations between checkpoints (default: the recipe's).")
    Integer checkpointEvery;

    @Option(names = "--checkpoint-minutes", paramLabel = "MINUTES", description = "Also write a checkpoint when MINUTES minutes have passed since the last one, so a kill loses at most that (default: "
            + TrainConfig.DEFAULT_CHECKPOINT_MINUTES + "; 0: only by iterations).")
    Double checkpointMinutes;

    @Option(names = "--keep", paramLabel = "K", description = "Keep the newest K complete checkpoints and delete older ones; the only complete one is never deleted (default: "
            + TrainConfig.DEFAULT_KEEP_CHECKPOINTS + ").")
    Integer keep;

    @Option(names = "--log-every", paramLabel = "N", description = "Iterations between metrics.csv rows (default: the recipe's).")
    Integer logEvery;

    @Option(names = "--eval-every", paramLabel = "N", description = "Iterations between validation passes (default: one epoch).")
    Integer evalEvery;

    @Option(names = "--workers", paramLabel = "N", description = "Data-preparation threads (default: " + TrainConfig.DEFAULT_WORKERS + ").")
    Integer workers;

    @Option(names = "--stop-after", paramLabel = "ITER", description = "Stop with a checkpoint at this iteration (time boxes; resume later).")
    Long stopAfter;

    @Option(names = "--grace-seconds", paramLabel = "SECONDS", description = "After SIGTERM, SIGINT or SIGHUP, the time to finish the step and write a checkpoint before exiting at once; keep it below the scheduler's own (default: "
            + StoppableTraining.DEFAULT_GRACE_SECONDS + ").")
    Integer graceSeconds;

    @Mixin
    EngineOptions engine;

    @Mixin
    DetectionTrain detection;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private ResNetConfig initSource;

    @Override
    public Integer call() throws Exception {
        JsonNode previous = resume != null && Files.exists(resume.resolve(RunJson.FILE)) ? RunJson.read(resume) : null;
        if (detection.requested(previous)) {
            return detection.run(this, previous);
        }
        return resume != null ? resumeRun() : newRun();
    }

    private Integer newRun() throws Exception {
        // Absolute and normalised: run.json's record must work from any working directory.
        Path dataPath = requireData().toAbsolutePath().normalize();
        if (init == null) {
            modelConfig(ImageFolder.isImageFolderRoot(dataPath)); // cheap checks before reading the data
        }
        Path runDir = newRunDir(dataPath).toAbsolutePath().normalize();
        TrainingData trainingData = trainingData(dataPath, null);
        TrainConfig config = buildConfig(trainingData);
        Device device = engine.apply();
        Trainer trainer = newTrainer(config, trainingData, device);
        try (RunLock lock = lockRunFolder(runDir, false)) {
            RunJson record = addListeners(trainer, runDir, dataPath, trainingData, null, device);
            printStart(config, trainingData, dataPath, device, runDir);
            printBudgetNotice(config, trainingData);
            printStemNotice(config, dataPath);
            return train(trainer, record, false, runDir);
        }
    }

    /**
     * Continues a run from its folder alone: a finished one only when given a larger budget; options
     * that decide what the network learns are refused, the others applied and recorded.
     */
    private Integer resumeRun() throws Exception {
        Path runDir = resume.toAbsolutePath().normalize();
        if (!Files.isDirectory(runDir)) {
            throw new UsageException("--resume " + runDir + ": no such folder; give the folder a run was started in"
                    + " (its --output)");
        }
        if (!Files.exists(runDir.resolve(RunJson.FILE))) {
            throw new UsageException(runDir + " is not a resnet4j run folder: it has no " + RunJson.FILE
                    + "; --resume takes the folder a run was started in (its --output)");
        }
        RunState state = RunState.read(runDir);
        refuseFixedOptions(runDir);
        TrainConfig recorded = state.config();
        Long budget = requestedBudget(recorded, state.json().path("dataset").path("train_images").asInt());
        if (state.finished() && (budget == null || budget == state.iterationsDone())) {
            return sayFinished(state);
        }
        if (budget != null && budget < state.iterationsDone()) {
            throw new UsageException(flagOf(budget) + " asks for " + budget + " iterations but " + runDir + " has done "
                    + state.iterationsDone() + "; ask for more to continue it");
        }
        Path dataPath = UsageException.rethrowUnchecked(() -> state.dataFor(data));
        TrainingData trainingData = trainingData(dataPath, state.json());
        if (!dataPath.equals(state.recordedData())) {
            UsageException.rethrowUnchecked(() -> {
                state.requireSameData(trainingData);
                return dataPath;
            });
        }
        TrainConfig config = resumedConfig(recorded, budget);
        applyRecordedSession(state.session());
        Device device = engine.apply();
        Trainer trainer = newTrainer(config, trainingData, device);
        try (RunLock lock = lockRunFolder(runDir, true)) {
            RunState now = RunState.read(runDir); // under the lock: what no other process can change any more
            RunJson record = addListeners(trainer, runDir, dataPath, trainingData, now, device);
            printResume(now, config, trainingData, dataPath, device);
            return train(trainer, record, true, runDir);
        }
    }

    private Integer train(Trainer trainer, RunJson record, boolean resuming, Path runDir) throws Exception {
        StoppableTraining.Result r = StoppableTraining.run(trainer, record, resuming, graceSeconds());
        printEnd(r.outcome(), runDir);
        return r.exitCode();
    }

    int graceSeconds() {
        return graceSeconds != null ? graceSeconds : StoppableTraining.DEFAULT_GRACE_SECONDS;
    }

    void refuseFixedOptions(Path runDir) {
        List<String> fixed = spec.commandLine().getParseResult().matchedOptions().stream()
                .map(CommandLine.Model.OptionSpec::longestName).filter(n -> !RESUMABLE.contains(n)).distinct().toList();
        if (!fixed.isEmpty()) {
            throw new UsageException(String.join(", ", fixed) + " cannot change when resuming: " + runDir + " continues with the values in its run.json; drop "
                    + (fixed.size() == 1 ? "it" : "them") + ", or start a new run with --output");
        }
    }

    /** The budget asked for with --iterations or --epochs, in iterations; null when neither was given. */
    private Long requestedBudget(TrainConfig recorded, int trainImages) {
        if (iterations != null && epochs != null) {
            throw new UsageException("give --epochs or --iterations, not both");
        }
        return epochs != null ? Long.valueOf(recorded.iterationsForEpochs(epochs, trainImages)) : iterations;
    }

    private String flagOf(long budget) {
        return epochs != null ? "--epochs " + epochs : "--iterations " + budget;
    }

    private int sayFinished(RunState state) {
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "%s %s; nothing to do (its weights: %s). To train it longer, resume with --iterations"
                        + " or --epochs beyond %,d (the recorded learning-rate schedule is kept).%n", state.runDir(),
                state.finalSummary(), state.runDir().resolve(TrainingCheckpoints.FINAL_MODEL), state.iterationsDone());
        out.flush();
        return 0;
    }

    /** The recorded configuration with what a resumption may change; the schedule stays as recorded. */
    private TrainConfig resumedConfig(TrainConfig recorded, Long budget) {
        try {
            TrainConfig.Builder b = recorded.toBuilder();
            ifGiven(budget, b::iterations);
            ifGiven(checkpointEvery, b::checkpointEvery);
            ifGiven(checkpointMinutes, b::checkpointMinutes);
            ifGiven(keep, b::keepCheckpoints);
            ifGiven(logEvery, b::logEvery);
            ifGiven(workers, b::workers);
            TrainConfig c = b.build();
            recorded.requireResumableAs(c);
            return c;
        } catch (InvalidConfigException e) {
            throw usage(e);
        }
    }

    /** Threads and grace period as the run recorded them, unless given now. */
    void applyRecordedSession(JsonNode session) {
        if (engine.threads == null && session.path("threads").canConvertToInt()) {
            engine.threads = session.get("threads").asInt();
        }
        if (graceSeconds == null && session.path("grace_seconds").canConvertToInt()) {
            graceSeconds = session.get("grace_seconds").asInt();
        }
    }

    /**
     * One process per run folder; a new run never mixes its files with a user's. Checked again under
     * the lock: a second run started a moment later finds the first one's run.json.
     */
    static RunLock lockRunFolder(Path runDir, boolean resuming) throws java.io.IOException {
        boolean existed = Files.isDirectory(runDir);
        if (!resuming && existed && !isEmptyApartFromLock(runDir)) {
            throw new UsageException(runDir + " is not empty and holds no resnet4j run; choose an empty or new"
                    + " --output folder (nothing in it was changed)");
        }
        RunLock lock;
        try {
            lock = RunLock.acquire(runDir);
        } catch (RunLock.LockedException e) {
            throw new UsageException(e.getMessage());
        }
        if (!resuming && Files.exists(runDir.resolve(RunJson.FILE))) {
            lock.close();
            throw new UsageException(runDir + " already holds a run; use --resume " + runDir
                    + " to continue it, or another --output");
        }
        return lock;
    }

    private static boolean isEmptyApartFromLock(Path dir) throws java.io.IOException {
        try (var entries = Files.list(dir)) {
            return entries.allMatch(p -> p.getFileName().toString().equals(RunLock.FILE));
        }
    }

    private Path requireData() {
        if (data == null) {
            throw new UsageException("--data DIR is required: a CIFAR-10 binary folder (data_batch_1..5.bin),"
                    + " cifar-10-binary.tar.gz, or an image folder with train/<class>/ (try"
                    + " 'resnet4j demo' for a run on the embedded sample)");
        }
        return data;
    }

    private Path newRunDir(Path dataPath) {
        String name = model != null ? model : init != null ? "finetune"
                : ImageFolder.isImageFolderRoot(dataPath) ? "resnet18" : "resnet20";
        Path runDir = output != null ? output : Path.of("runs", name + "-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT)));
        if (Files.exists(runDir.resolve(RunJson.FILE))) {
            throw new UsageException(runDir + " already holds a run; use --resume " + runDir
                    + " to continue it, or another --output");
        }
        return runDir;
    }

    private TrainingData trainingData(Path dataPath, JsonNode previous) throws IOException {
        if (ImageFolder.isImageFolderRoot(dataPath)) {
            Path valDir = dataPath.resolve("val");
            int side = previous != null ? TrainConfig.fromJson(previous.get("config")).model().inputSize()
                    : input != null ? input : init != null ? initConfig().inputSize() : 224;
            boolean perPixel = previous != null ? previous.path("dataset").path("pixel_mean").asBoolean(pixelMean) : pixelMean;
            int threads = workers != null ? workers : previous != null
                    ? TrainConfig.fromJson(previous.get("config")).workers() : TrainConfig.DEFAULT_WORKERS;
            return new ImageFolderTrainingData(ImageFolder.open(dataPath.resolve("train")),
                    Files.isDirectory(valDir) ? ImageFolder.open(valDir) : null, side, perPixel, threads);
        }
        if (input != null && input != 32) {
            throw new UsageException("--input " + input + " does not apply to CIFAR data, whose images are 32x32;"
                    + " it sets the input of image-folder training");
        }
        Split trainSplit = previous != null ? Split.parse(previous.get("dataset").get("train_split").asText())
                : parseSplit(split);
        Split valSplit = trainSplit == Split.TRAIN45K ? Split.VAL5K : Split.TEST;
        boolean hasVal = trainSplit == Split.TRAIN45K || hasTestSplit(dataPath);
        Map<Split, CifarData> splits = Cifar10.load(dataPath,
                hasVal ? EnumSet.of(trainSplit, valSplit) : EnumSet.of(trainSplit));
        return new CifarTrainingData(splits.get(trainSplit), splits.get(valSplit));
    }

    private static boolean hasTestSplit(Path dataPath) {
        return Cifar10.isArchive(dataPath) || Files.exists(dataPath.resolve(Cifar10.TEST_FILE));
    }

    private static Split parseSplit(String s) {
        try {
            Split sp = Split.parse(s);
            if (sp != Split.TRAIN45K && sp != Split.TRAIN) {
                throw new UsageException("--split must be train45k or train for training, got " + s);
            }
            return sp;
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /** The data decides the recipe; weights to start from make it a fine-tuning. */
    private Recipe recipe(TrainingData train) {
        if (init != null) {
            return Recipe.fineTune();
        }
        return train instanceof ImageFolderTrainingData ? Recipe.imagenet() : Recipe.cifar();
    }

    private TrainConfig buildConfig(TrainingData train) throws IOException {
        try {
            ResNetConfig trained = trainedModel(train);
            TrainConfig.Builder b = TrainConfig.builder(recipe(train)).model(trained).trainImages(train.size())
                    .seed(seed).workers(workers != null ? workers : TrainConfig.DEFAULT_WORKERS);
            ifGiven(batchSize, b::batchSize);
            ifGiven(lr, b::learningRate);
            ifGiven(momentum, b::momentum);
            ifGiven(weightDecay, b::weightDecay);
            ifGiven(epochs, b::epochs);
            ifGiven(iterations, b::iterations);
            ifGiven(milestones, b::milestones);
            ifGiven(warmupLr, b::warmup);
            ifGiven(plateauPatience, b::plateauPatience);
            ifGiven(checkpointEvery, b::checkpointEvery);
            ifGiven(checkpointMinutes, b::checkpointMinutes);
            ifGiven(keep, b::keepCheckpoints);
            ifGiven(logEvery, b::logEvery);
            ifGiven(evalEvery, b::evalEvery);
            ifGiven(accumulate, b::accumulate);
            ifGiven(headLr, b::headLearningRate);
            ifGiven(freezeUntil, stage -> b.frozenPrefix(ResNet.parseFrozenPrefix(stage)));
            if (noAugment) {
                b.augmentation(Recipe.Augmentation.NONE);
            }
            if (init != null) {
                // --num-classes asks for a fresh head even when the count matches the weights'.
                b.initFrom(init, numClasses != null || trained.classes() != initConfig().classes());
            }
            return b.build();
        } catch (InvalidConfigException e) {
            throw usage(e);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    private static <T> void ifGiven(T value, Consumer<T> set) {
        if (value != null) {
            set.accept(value);
        }
    }

    /** A configuration error, pointed at the flag that sets the value. */
    static UsageException usage(InvalidConfigException e) {
        String flag = FLAGS.get(e.parameter());
        return new UsageException(flag == null ? e.getMessage() : flag + ": " + e.getMessage());
    }

    /** The network: the data's classes on a --model, or, fine-tuning, the --init weights' architecture. */
    private ResNetConfig trainedModel(TrainingData train) throws IOException {
        boolean folder = train instanceof ImageFolderTrainingData;
        if (numClasses != null && numClasses < train.numClasses()) {
            throw new UsageException("--num-classes " + numClasses + " is fewer than the " + train.numClasses()
                    + " classes of the data; drop it to use the data's");
        }
        int classes = numClasses != null ? numClasses : Math.max(folder ? 1 : 10, train.numClasses());
        ResNetConfig m;
        if (init != null) {
            m = initConfig();
            if (model != null && !model.equals(m.spec().name())) {
                throw new UsageException("--init " + init + " holds " + m.spec().name() + ", not --model " + model
                        + "; drop --model when fine-tuning");
            }
        } else {
            m = modelConfig(folder);
        }
        return m.withClasses(classes).withInputSize(train.inputSize());
    }

    /** The architecture of the --init weights (read once). */
    private ResNetConfig initConfig() throws IOException {
        if (initSource == null) {
            try (NDManager scratch = NDManager.newBaseManager()) {
                initSource = FineTuning.sourceConfig(init, scratch);
            }
        }
        return initSource;
    }

    private ResNetConfig modelConfig(boolean imageFolder) {
        try {
            ResNetConfig m = ResNetConfig.of(ResNetFamily.get(model != null ? model : imageFolder ? "resnet18" : "resnet20"));
            if (shortcut != null) {
                m = m.withShortcut(Shortcut.parse(shortcut));
            }
            if (strideOn != null) {
                m = m.withStridePlacement(StridePlacement.parse(strideOn));
            }
            return m.withZeroInitLastGamma(zeroInitLastBn);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    private Trainer newTrainer(TrainConfig config, TrainingData trainingData, Device device) {
        try {
            Trainer trainer = new Trainer(config, trainingData, device);
            return stopAfter != null ? trainer.stopAt(stopAfter) : trainer;
        } catch (InvalidConfigException e) {
            throw usage(e);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    private RunJson addListeners(Trainer trainer, Path runDir, Path dataPath, TrainingData trainingData,
            RunState previous, Device device) {
        TrainConfig config = trainer.config();
        String label = config.model().spec().name();
        Path metrics = runDir.resolve("metrics.csv");
        RunJson record = new RunJson(runDir, config, dataPath.toString(), trainingData).session(session(device))
                .resumeCommand(resumeCommand(runDir)).mergePrevious(previous == null ? null : previous.json());
        trainer.runFolder(runDir)
                .addListener(record)
                .addListener(new MetricsCsv(metrics))
                .addListener(new CurvesListener(metrics, runDir.resolve("curves.png"), label))
                .addListener(new ProgressReporter(System.err, System.console() != null, label));
        return record;
    }

    /** This session's settings as run.json records them, for any model's run. */
    Map<String, Object> session(Device device) {
        Map<String, Object> session = new LinkedHashMap<>();
        session.put("threads", engine.threads());
        session.put("device", device.toString());
        session.put("grace_seconds", graceSeconds());
        session.put("stop_after", stopAfter);
        return session;
    }

    static String resumeCommand(Path runDir) {
        return Launcher.command() + " train --resume " + runDir;
    }

    private void printStart(TrainConfig config, TrainingData trainingData, Path dataPath, Device device, Path runDir) {
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "training %s (%,d parameters) on %s: %,d images (%s), validating on %s; %,d iterations of %d"
                        + " on %s with %d threads -> %s%n",
                config.model().spec().name(), config.model().plan().params(), dataPath, trainingData.size(),
                trainingData.trainSplit(), trainingData.valSplit() == null ? "nothing"
                        : String.format(Locale.ROOT, "%,d images (%s)", trainingData.valSize(), trainingData.valSplit()),
                config.iterations(), config.batchSize(), device, engine.threads(), runDir);
        out.flush();
    }

    /**
     * An ImageNet network on CIFAR's 32x32 images trains (a common baseline), but its stem divides the
     * side by 4 before the first stage, so the last stage sees 1x1 maps: say so, and name the paper's nets.
     */
    private void printStemNotice(TrainConfig config, Path dataPath) {
        if (ImageFolder.isImageFolderRoot(dataPath) || config.model().spec().stem() == Stem.CIFAR) {
            return;
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "note: %s is an ImageNet network (7x7 stride-2 stem and max pooling): on 32x32 images its"
                + " last stage sees 1x1 maps; the paper's CIFAR networks are %s%n", config.model().spec().name(),
                String.join(", ", ResNetFamily.all().stream().filter(f -> f.stem() == Stem.CIFAR).map(f -> f.name())
                        .toList()));
        out.flush();
    }

    /** The recipe's full budget is hours to days on a CPU: say so before it starts, and how to ask for less. */
    private void printBudgetNotice(TrainConfig config, TrainingData trainingData) {
        if (epochs != null || iterations != null) {
            return;
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "note: the recipe's full budget, %,d iterations (%,.0f epochs); the estimated time follows"
                        + " after the first %d iterations; ask for less with --epochs N or --iterations N%n",
                config.iterations(), (double) config.iterations() * config.batchSize() / trainingData.size(),
                ProgressReporter.ESTIMATE_AFTER);
        out.flush();
    }

    private void printResume(RunState state, TrainConfig config, TrainingData trainingData, Path dataPath,
            Device device) {
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "resuming %s (%s) at iteration %,d of %,d from %s; its last session %s%n",
                state.runDir(), config.model().spec().name(), state.resumeIteration(), config.iterations(),
                state.resumesFrom(), state.howItEnded());
        Set<String> changed = config.differingKeys(state.config());
        out.printf(Locale.ROOT, "on %s: %,d images (%s); %d threads on %s%s%n", dataPath, trainingData.size(),
                trainingData.trainSplit(), engine.threads(), device,
                changed.isEmpty() ? "" : "; changed: " + String.join(", ", changed) + " (recorded in run.json)");
        out.flush();
    }

    private void printEnd(Trainer.Outcome outcome, Path runDir) {
        PrintWriter out = spec.commandLine().getOut();
        String val = Double.isNaN(outcome.lastValError()) ? "n/a"
                : String.format(Locale.ROOT, "%.2f%%", 100 * outcome.lastValError());
        out.printf(Locale.ROOT, "%s at iteration %,d: train error %.2f%%, validation error %s, %.0f images/s, %s%n",
                outcome.completed() ? "finished" : "stopped", outcome.iteration(), 100 * outcome.lastTrainError(), val,
                outcome.imagesPerSecond(), ProgressReporter.duration((long) outcome.seconds()));
        out.printf(Locale.ROOT, "run folder %s: %s, metrics.csv, curves.png, run.json%n", runDir,
                outcome.completed() ? "model.safetensors" : "checkpoint " + outcome.lastCheckpoint());
        if (!outcome.completed()) {
            out.printf(Locale.ROOT, "%s; continue with: %s%n", outcome.stopReason(), resumeCommand(runDir));
        }
        out.flush();
    }
}
