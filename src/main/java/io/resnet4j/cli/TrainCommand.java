package io.resnet4j.cli;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import io.resnet4j.data.Cifar10;
import io.resnet4j.data.CifarData;
import io.resnet4j.data.Split;
import io.resnet4j.model.ResNetConfig;
import io.resnet4j.model.ResNetFamily;
import io.resnet4j.model.Shortcut;
import io.resnet4j.model.StridePlacement;
import io.resnet4j.data.ImageFolder;
import io.resnet4j.train.CifarTrainer;
import io.resnet4j.train.CifarTrainingData;
import io.resnet4j.train.FineTuning;
import io.resnet4j.train.ImageFolderTrainingData;
import io.resnet4j.train.TrainingData;
import io.resnet4j.train.CurvesListener;
import io.resnet4j.train.LearningRateSchedule;
import io.resnet4j.train.MetricsCsv;
import io.resnet4j.train.ProgressReporter;
import io.resnet4j.train.RunJson;
import io.resnet4j.train.TrainConfig;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code resnet4j train}: the paper's CIFAR recipe by default, every value an option. */
@Command(name = "train", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, sortOptions = false,
        description = {"Train a CIFAR network with the paper's recipe (section 4.2): SGD, momentum 0.9, weight decay 1e-4,"
                + " batch 128, lr 0.1 divided by 10 at 32k and 48k iterations, 64k iterations; warm-up at 0.01 for 110+"
                + " layers. --epochs N compresses the schedule (milestones at 50%% and 75%%).",
            "Ctrl-C writes a checkpoint first; continue with --resume RUN_DIR."})
final class TrainCommand implements Callable<Integer> {

    @Option(names = "--model", description = "Model (default: resnet20 for CIFAR data, resnet18 for image folders).")
    String model;

    @Option(names = "--data", paramLabel = "DIR",
            description = "CIFAR-10 binary folder, cifar-10-binary.tar.gz, or an image folder ROOT with ROOT/train/<class>/*.jpg (and ROOT/val/<class>).")
    Path data;

    @Option(names = "--input", paramLabel = "N", description = "Image-folder training: network input side (default: 224); crops and resizes scale with it.")
    Integer input;

    @Option(names = "--num-classes", paramLabel = "K", description = "Classes of the classifier (default: those of the data); with --init a new head is initialised.")
    Integer numClasses;

    @Option(names = "--init", paramLabel = "WEIGHTS", description = "Start from these weights (resnet4j checkpoint, torchvision .pth, .safetensors, torchvision:NAME) to fine-tune.")
    String init;

    @Option(names = "--freeze-until", paramLabel = "STAGE", description = "Keep the stem and stages up to this one fixed, BN statistics included: conv1, conv2_x .. conv5_x.")
    String freezeUntil;

    @Option(names = "--head-lr", paramLabel = "LR", description = "Learning rate of the classifier (default: the same as --lr); follows the schedule.")
    Float headLr;

    @Option(names = "--accumulate", defaultValue = "1", paramLabel = "K", description = "Micro-batches per SGD step, for batches that do not fit in memory (default: ${DEFAULT-VALUE}).")
    int accumulate;

    @Option(names = "--plateau-patience", paramLabel = "P", description = "Divide lr by 10 when validation error has not improved for P evaluations (image-folder default: 3; CIFAR uses milestones).")
    Integer plateauPatience;

    @Option(names = "--pixel-mean", description = "Image folders: subtract a per-pixel mean image (the paper) instead of the per-channel mean/std.")
    boolean pixelMean;

    @Option(names = "--split", defaultValue = "train45k",
            description = "Training split: train45k (validate on val5k, the paper's tuning split) or train (all 50k; validate on test if present). Default: ${DEFAULT-VALUE}.")
    String split;

    @Option(names = "--output", paramLabel = "RUN_DIR", description = "Run folder (default: runs/MODEL-TIMESTAMP).")
    Path output;

    @Option(names = "--resume", paramLabel = "RUN_DIR", description = "Continue a stopped run exactly from its newest checkpoint.")
    Path resume;

    @Option(names = "--epochs", description = "Compressed schedule of N epochs instead of 64k iterations.")
    Integer epochs;

    @Option(names = "--iterations", description = "Total iterations (default: 64000, or from --epochs).")
    Long iterations;

    @Option(names = "--batch-size", description = "Mini-batch size (default: 128 CIFAR, 256 image folders).")
    Integer batchSize;

    @Option(names = "--lr", description = "Learning rate after warm-up (default: 0.1).")
    Float lr;

    @Option(names = "--milestones", split = ",", paramLabel = "ITER", description = "Iterations where lr is divided by 10 (default: 50%% and 75%% of the run).")
    List<Long> milestones;

    @Option(names = "--warmup-lr", description = "Warm-up learning rate until the training error is below 80%% (default: 0.01 for 110+ layers, else none; 0 disables).")
    Float warmupLr;

    @Option(names = "--momentum", defaultValue = "0.9", description = "SGD momentum (default: ${DEFAULT-VALUE}).")
    float momentum;

    @Option(names = "--weight-decay", defaultValue = "1e-4", description = "Weight decay (default: ${DEFAULT-VALUE}).")
    float weightDecay;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of initialisation, order and augmentation (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--shortcut", paramLabel = "A|B|C", description = "Shortcut option (default: the paper's).")
    String shortcut;

    @Option(names = "--stride-on", paramLabel = "1x1|3x3", description = "Bottleneck stride placement (default: 1x1).")
    String strideOn;

    @Option(names = "--zero-init-last-bn", description = "Zero-initialise each residual branch's last BN gamma.")
    boolean zeroInitLastBn;

    @Option(names = "--no-augment", description = "Disable the pad-4 crop and flip augmentation.")
    boolean noAugment;

    @Option(names = "--checkpoint-every", defaultValue = "2000", description = "Iterations between checkpoints (default: ${DEFAULT-VALUE}).")
    int checkpointEvery;

    @Option(names = "--log-every", defaultValue = "50", description = "Iterations between metrics.csv rows (default: ${DEFAULT-VALUE}).")
    int logEvery;

    @Option(names = "--eval-every", description = "Iterations between validation passes (default: one epoch).")
    Integer evalEvery;

    @Option(names = "--workers", defaultValue = "2", description = "Data-preparation threads (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--stop-after", paramLabel = "ITER", description = "Stop with a checkpoint at this iteration (time boxes; resume later).")
    Long stopAfter;

    @Mixin
    EngineOptions engine;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Path runDir;
        Path dataPath;
        TrainConfig config;
        Split trainSplit;
        JsonNode previous = null;
        if (resume != null) {
            runDir = resume;
            previous = RunJson.read(runDir);
            config = TrainConfig.fromJson(previous.get("config"));
            dataPath = data != null ? data : Path.of(previous.get("dataset").get("path").asText());
            trainSplit = Split.parse(previous.get("dataset").get("train_split").asText());
        } else {
            if (data == null) {
                throw new UsageException("--data DIR is required: a CIFAR-10 binary folder (data_batch_1..5.bin),"
                        + " cifar-10-binary.tar.gz, or an image folder with train/<class>/ (try"
                        + " ../shared/datasets/cifar-10-batches-bin, or 'resnet4j demo')");
            }
            dataPath = data;
            trainSplit = parseSplit(split);
            if (init == null) {
                modelConfig(ImageFolder.isImageFolderRoot(dataPath)); // cheap checks before reading the data
            }
            String name = model != null ? model : init != null ? "finetune"
                    : ImageFolder.isImageFolderRoot(dataPath) ? "resnet18" : "resnet20";
            runDir = output != null ? output : Path.of("runs", name + "-"
                    + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT)));
            if (Files.exists(runDir.resolve(RunJson.FILE))) {
                throw new UsageException(runDir + " already holds a run; use --resume " + runDir
                        + " to continue it, or another --output");
            }
            config = null;
        }
        TrainingData trainingData;
        if (ImageFolder.isImageFolderRoot(dataPath)) {
            Path valDir = dataPath.resolve("val");
            int side = config != null ? config.model().inputSize() : input != null ? input
                    : init != null ? initConfig().inputSize() : 224;
            boolean perPixel = previous != null ? previous.path("dataset").path("pixel_mean").asBoolean(pixelMean) : pixelMean;
            trainingData = new ImageFolderTrainingData(ImageFolder.open(dataPath.resolve("train")),
                    Files.isDirectory(valDir) ? ImageFolder.open(valDir) : null, side, perPixel, workers);
        } else {
            if (input != null && input != 32) {
                throw new UsageException("--input " + input + " does not apply to CIFAR data, whose images are 32x32;"
                        + " it sets the input of image-folder training");
            }
            Split valSplit = trainSplit == Split.TRAIN45K ? Split.VAL5K : Split.TEST;
            boolean hasVal = trainSplit == Split.TRAIN45K || hasTestSplit(dataPath);
            Map<Split, CifarData> splits = Cifar10.load(dataPath,
                    hasVal ? EnumSet.of(trainSplit, valSplit) : EnumSet.of(trainSplit));
            trainingData = new CifarTrainingData(splits.get(trainSplit), splits.get(valSplit));
        }
        if (config == null) {
            config = buildConfig(trainingData);
        }
        Device device = engine.apply();
        Files.createDirectories(runDir);
        CifarTrainer trainer = new CifarTrainer(config, trainingData, runDir, device);
        String label = config.model().spec().name();
        RunJson runJson = new RunJson(runDir, config, dataPath.toString(), trainingData).mergePrevious(previous);
        trainer.addListener(runJson)
                .addListener(new MetricsCsv(runDir.resolve("metrics.csv")))
                .addListener(new CurvesListener(runDir.resolve("metrics.csv"), runDir.resolve("curves.png"), label))
                .addListener(new ProgressReporter(System.err, System.console() != null, label));
        if (stopAfter != null) {
            trainer.stopAt(stopAfter);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "training %s (%,d parameters) on %s: %,d images (%s), validating on %s; %,d iterations of %d"
                        + " on %s with %d threads -> %s%n",
                label, config.model().plan().params(), dataPath, trainingData.size(), trainingData.trainSplit(),
                trainingData.valSplit() == null ? "nothing"
                        : String.format(Locale.ROOT, "%,d images (%s)", trainingData.valSize(), trainingData.valSplit()),
                config.iterations(), config.batchSize(), device, engine.threads(), runDir);
        out.flush();
        CifarTrainer.Outcome outcome = SigintHandler.run(trainer::requestStop, () -> trainer.run(resume != null));
        String val1 = Double.isNaN(outcome.lastValError()) ? "n/a"
                : String.format(Locale.ROOT, "%.2f%%", 100 * outcome.lastValError());
        out.printf(Locale.ROOT, "%s at iteration %,d: train error %.2f%%, validation error %s, %.0f images/s, %s%n",
                outcome.completed() ? "finished" : "stopped", outcome.iteration(), 100 * outcome.lastTrainError(), val1,
                outcome.imagesPerSecond(), io.resnet4j.train.ProgressReporter.duration((long) outcome.seconds()));
        out.printf(Locale.ROOT, "run folder %s: %s, metrics.csv, curves.png, run.json%n", runDir,
                outcome.completed() ? "model.safetensors" : "checkpoint " + outcome.lastCheckpoint());
        if (!outcome.completed()) {
            out.printf(Locale.ROOT, "continue with: bin/resnet4j train --resume %s%n", runDir);
        }
        out.flush();
        return outcome.completed() || stopAfter != null ? 0 : 130;
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

    private ResNetConfig initSource;

    /** The architecture of the --init weights (read once). */
    private ResNetConfig initConfig() throws java.io.IOException {
        if (initSource == null) {
            try (ai.djl.ndarray.NDManager scratch = ai.djl.ndarray.NDManager.newBaseManager()) {
                initSource = FineTuning.sourceConfig(init, scratch);
            }
        }
        return initSource;
    }

    private ResNetConfig modelConfig(boolean imageFolder) {
        try {
            ResNetConfig m = ResNetConfig.of(ResNetFamily.get(model != null ? model : imageFolder ? "resnet18" : "resnet20"));
            if (!imageFolder && m.spec().stem() != io.resnet4j.model.Stem.CIFAR) {
                throw new UsageException(model + " is an ImageNet model; CIFAR data trains the CIFAR family: "
                        + String.join(", ", ResNetFamily.all().stream()
                                .filter(s -> s.stem() == io.resnet4j.model.Stem.CIFAR).map(s -> s.name()).toList()));
            }
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

    private TrainConfig buildConfig(TrainingData train) throws java.io.IOException {
        boolean folder = train instanceof ImageFolderTrainingData;
        try {
            ResNetConfig m;
            int classes = numClasses != null ? numClasses : Math.max(folder ? 1 : 10, train.numClasses());
            boolean newHead = false;
            if (init != null) {
                // Fine-tuning: the architecture is the source's; only the head may change.
                m = initConfig();
                if (model != null && !model.equals(m.spec().name())) {
                    throw new UsageException("--init " + init + " holds " + m.spec().name() + ", not --model " + model
                            + "; drop --model when fine-tuning");
                }
                newHead = numClasses != null || classes != m.classes(); // --num-classes asks for a fresh head
                m = m.withClasses(classes);
            } else {
                m = modelConfig(folder).withClasses(classes);
            }
            m = m.withInputSize(train.inputSize());
            int bs = batchSize == null ? (folder ? 256 : 128) : batchSize;
            int perEpoch = train.size() / bs;
            if (bs % accumulate != 0) {
                throw new UsageException("--batch-size " + bs + " must be a multiple of --accumulate " + accumulate);
            }
            if (perEpoch < 1) {
                throw new UsageException("--batch-size " + bs + " is larger than the " + train.size() + " training images");
            }
            TrainConfig c;
            if (epochs != null && iterations != null) {
                throw new UsageException("give --epochs or --iterations, not both");
            }
            if (epochs != null) {
                if (epochs < 1) {
                    throw new UsageException("--epochs must be at least 1");
                }
                c = TrainConfig.epochs(m, epochs, perEpoch);
            } else if (iterations != null) {
                c = TrainConfig.epochs(m, 1, perEpoch);
                c = new TrainConfig(m, c.batchSize(), c.momentum(), c.weightDecay(), iterations,
                        c.schedule().withMilestones(LearningRateSchedule.proportionalMilestones(iterations)), c.seed(),
                        c.checkpointEvery(), c.logEvery(), c.evalEvery(), c.workers(), c.augment());
            } else if (folder) {
                c = TrainConfig.epochs(m, 1, perEpoch).withIterations(600_000); // the paper's ImageNet budget
            } else {
                c = TrainConfig.paper(m, perEpoch);
            }
            TrainConfig.Tuning tuning = TrainConfig.Tuning.NONE.withAccumulate(accumulate);
            int patience = plateauPatience != null ? plateauPatience : folder && milestones == null ? 3 : 0;
            tuning = tuning.withPlateauPatience(patience);
            if (patience > 0 && milestones == null) {
                // The ImageNet rule: drops come from the plateau, not from fixed milestones.
                c = c.withSchedule(c.schedule().withMilestones(List.of()));
            }
            if (init != null || freezeUntil != null || headLr != null) {
                tuning = tuning.withFineTuning(init, newHead,
                        freezeUntil == null ? 0 : io.resnet4j.model.ResNet.parseFrozenPrefix(freezeUntil),
                        headLr == null ? Float.NaN : headLr);
            }
            c = c.withTuning(tuning);
            c = c.withBatchSize(bs);
            LearningRateSchedule s = c.schedule();
            if (lr != null || milestones != null) {
                s = new LearningRateSchedule(lr != null ? lr : s.baseRate(),
                        milestones != null ? new ArrayList<>(milestones) : s.milestones(), s.factor(),
                        s.warmupRate(), s.warmupUntilErrorBelow(), s.warmupMaxIterations());
            }
            if (warmupLr != null) {
                s = s.withWarmup(warmupLr);
            }
            return c.withSchedule(s).withOptimizer(momentum, weightDecay).withSeed(seed)
                    .withIntervals(checkpointEvery, logEvery, evalEvery != null ? evalEvery : perEpoch)
                    .withWorkers(workers).withAugment(!noAugment);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }
}
