package io.resnet4j.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import io.resnet4j.detection.DetectionDataset;
import io.resnet4j.detection.data.CocoDataset;
import io.resnet4j.detection.data.DetectionData;
import io.resnet4j.detection.data.VocDataset;
import io.resnet4j.detection.model.DetectorNames;
import io.resnet4j.detection.model.FasterRcnnConfig;
import io.resnet4j.detection.train.DetectionCurves;
import io.resnet4j.detection.train.DetectionMetricsCsv;
import io.resnet4j.detection.train.DetectionRunJson;
import io.resnet4j.detection.train.DetectionTrainConfig;
import io.resnet4j.detection.train.DetectionTrainingSet;
import io.resnet4j.detection.train.DetectorTrainer;
import io.resnet4j.files.RunLock;
import io.resnet4j.image.ImageLoader;
import io.resnet4j.model.BlockType;
import io.resnet4j.model.ResNet;
import io.resnet4j.model.ResNetConfig;
import io.resnet4j.model.StridePlacement;
import io.resnet4j.train.FineTuning;
import io.resnet4j.train.InvalidConfigException;
import io.resnet4j.train.RunJson;
import io.resnet4j.train.RunState;
import io.resnet4j.train.StopSignals;
import io.resnet4j.train.TrainingCheckpoints;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * {@code resnet4j train --task detection}: a Faster R-CNN on a Pascal VOC or COCO data set with the
 * paper's recipe ({@link DetectionTrainConfig#paper}), every value an option of {@link TrainCommand}.
 * The training is {@link DetectorTrainer}'s; this class reads the options and prints.
 */
final class DetectionTrain {

    /** The flag of each {@link DetectionTrainConfig} value, to point a configuration error at what to change. */
    private static final Map<String, String> FLAGS = Map.ofEntries(Map.entry("batchSize", "--batch-size"),
            Map.entry("learningRate", "--lr"), Map.entry("momentum", "--momentum"),
            Map.entry("weightDecay", "--weight-decay"), Map.entry("iterations", "--iterations"),
            Map.entry("milestones", "--milestones"), Map.entry("checkpointEvery", "--checkpoint-every"),
            Map.entry("logEvery", "--log-every"), Map.entry("evalEvery", "--eval-every"),
            Map.entry("frozenPrefix", "--freeze-until"));

    /** Minutes between checkpoints when not told, as for classification runs. */
    private static final double DEFAULT_CHECKPOINT_MINUTES = 10;

    /** The fewest images a step for batch norm that learns (see {@link DetectionTrainConfig#demo}). */
    static final int SMALLEST_NORM_BATCH = 4;

    /** Classification options that mean nothing to a detector. */
    private static final List<String> CLASSIFICATION_ONLY = List.of("--input", "--num-classes", "--head-lr",
            "--accumulate", "--plateau-patience", "--pixel-mean", "--split", "--warmup-lr", "--shortcut",
            "--zero-init-last-bn", "--workers");

    @Option(names = "--task", paramLabel = "classification|detection", defaultValue = "classification",
            description = "classification or detection (default: ${DEFAULT-VALUE}). Detection: --data is a Pascal VOC"
                    + " or COCO root, --model fasterrcnn_BACKBONE_c4|fpn (default: fasterrcnn_resnet50_c4, or the"
                    + " --init weights' backbone), the paper's recipe: SGD 0.9, weight decay 1e-4, lr 0.001 then"
                    + " 0.0001 for the last quarter, 1 image a step, flips, shorter side 600.")
    String task;

    @Option(names = "--recipe", paramLabel = "NAME",
            description = "Detection: paper (Faster R-CNN's, as the ResNet paper uses it; default) or demo (ResNet-18"
                    + " C4 from scratch on small images, the recipe of 'resnet4j demo --task detection').")
    String recipe;

    @Option(names = "--min-size", paramLabel = "N",
            description = "Detection: shorter image side after resizing (default: 600 for C4, the paper; 800 for FPN).")
    Integer minSize;

    @Option(names = "--max-size", paramLabel = "N",
            description = "Detection: cap on the longer side (default: 1000 for C4, 1333 for FPN).")
    Integer maxSize;

    @Option(names = "--train-split", paramLabel = "SPLIT",
            description = "Detection: the split trained on (default: VOC trainval, else train; COCO the train* split).")
    String trainSplit;

    @Option(names = "--val-split", paramLabel = "SPLIT",
            description = "Detection: the held-out split scored with VOC07 mAP@0.5 (default: VOC test, else val; COCO"
                    + " the val* split; none for no evaluation).")
    String valSplit;

    /** Whether the command was asked for detection (or resumes a detection run), and is well formed for it. */
    boolean requested(JsonNode previousRun) {
        return switch (task) {
            case "classification" -> {
                boolean detectionRun = previousRun != null && previousRun.path("config").path("model").isObject();
                if (detectionRun) {
                    yield true; // what may change on resume is decided there
                }
                for (String detectionOnly : List.of("--recipe", "--min-size", "--max-size", "--train-split",
                        "--val-split")) {
                    if (isSet(detectionOnly)) {
                        throw new UsageException(detectionOnly + " is for --task detection");
                    }
                }
                yield false;
            }
            case "detection" -> {
                if (previousRun != null && !previousRun.path("config").path("model").isObject()) {
                    throw new UsageException("the run to resume trains a classifier, not a detector; drop --task");
                }
                yield true;
            }
            default -> throw new UsageException("--task is classification or detection, got " + task);
        };
    }

    private boolean isSet(String option) {
        return switch (option) {
            case "--recipe" -> recipe != null;
            case "--min-size" -> minSize != null;
            case "--max-size" -> maxSize != null;
            case "--train-split" -> trainSplit != null;
            default -> valSplit != null;
        };
    }

    int run(TrainCommand t, JsonNode previous) throws Exception {
        refuseClassificationOptions(t);
        if (previous != null) {
            return resume(t, previous);
        }
        // Absolute and normalised: run.json's record must work from any working directory.
        Path dataPath = requireData(t).toAbsolutePath().normalize();
        Splits splits = splits(dataPath);
        DetectionDataset train = open(dataPath, splits.train());
        DetectionDataset val = splits.val() == null ? null : open(dataPath, splits.val());
        if (val != null && val.images().isEmpty()) {
            throw new UsageException("the held-out split '" + splits.val() + "' of " + dataPath + " lists no images; list"
                    + " some, choose another with --val-split, or score nothing with --val-split none");
        }
        DetectionTrainConfig config = config(t, train);
        Device device = t.engine.apply();
        Path runDir = runDir(t, config).toAbsolutePath().normalize();
        Session session = new Session(t, config, dataPath, splits, train, val, device, runDir, null);
        return session.train(false);
    }

    /**
     * Continues a detector run from its folder: a finished one only when given a larger budget; options
     * that decide what the detector learns are refused, the others applied and recorded.
     */
    private int resume(TrainCommand t, JsonNode previous) throws Exception {
        Path runDir = t.resume.toAbsolutePath().normalize();
        t.refuseFixedOptions(runDir);
        RunState state = RunState.read(runDir);
        DetectionTrainConfig recorded = UsageException.rethrowUnchecked(
                () -> DetectionTrainConfig.fromJson(previous.get("config")));
        if (t.epochs != null) {
            throw new UsageException("a detector run's budget is in iterations: resume with --iterations N");
        }
        long done = state.iterationsDone();
        if (state.finished() && (t.iterations == null || t.iterations == done)) {
            printFinished(t.spec.commandLine().getOut(), state, recorded);
            return 0;
        }
        if (t.iterations != null && t.iterations < done) {
            throw new UsageException("--iterations " + t.iterations + " asks for fewer than the " + done + " iterations "
                    + runDir + " has done; ask for more to continue it");
        }
        DetectionTrainConfig config = UsageException.rethrowUnchecked(() -> resumed(t, recorded));
        Path dataPath = UsageException.rethrowUnchecked(() -> state.dataFor(t.data));
        Splits splits = Splits.recorded(previous.get("dataset"));
        DetectionDataset train = open(dataPath, splits.train());
        DetectionDataset val = splits.val() == null ? null : open(dataPath, splits.val());
        requireSameData(previous.get("dataset"), train, val);
        t.applyRecordedSession(state.session());
        Device device = t.engine.apply();
        Session session = new Session(t, config, dataPath, splits, train, val, device, runDir, state);
        return session.train(state.checkpoint().isPresent());
    }

    /** The recorded configuration with what a resumption may change (budget and cadences). */
    private static DetectionTrainConfig resumed(TrainCommand t, DetectionTrainConfig recorded) {
        DetectionTrainConfig c = t.iterations != null ? recorded.withIterations(t.iterations) : recorded;
        return c.withCadence(orElse(t.checkpointEvery, c.checkpointEvery()), orElse(t.logEvery, c.logEvery()),
                c.evalEvery());
    }

    private static void requireSameData(JsonNode recorded, DetectionDataset train, DetectionDataset val) {
        List<String> differences = new ArrayList<>();
        if (recorded.path("train_images").asInt() != train.images().size()) {
            differences.add("training images " + recorded.path("train_images").asInt() + " -> " + train.images().size());
        }
        int valImages = val == null ? 0 : val.images().size();
        if (recorded.path("val_images").asInt(0) != valImages) {
            differences.add("held-out images " + recorded.path("val_images").asInt(0) + " -> " + valImages);
        }
        List<String> names = new ArrayList<>();
        recorded.path("class_names").forEach(n -> names.add(n.asText()));
        if (!names.equals(train.classNames())) {
            differences.add("classes " + names + " -> " + train.classNames());
        }
        if (!differences.isEmpty()) {
            throw new UsageException("the data is not what the run began with (" + String.join("; ", differences)
                    + "); a run continues on the data it began with");
        }
    }

    private static DetectionDataset open(Path root, String split) throws IOException {
        return DetectionData.open(root, split, CocoDataset.Labels.CONTIGUOUS);
    }

    private static void printFinished(PrintWriter out, RunState state, DetectionTrainConfig config) {
        JsonNode fin = state.json().path("final");
        String map = fin.path("val_map50").isNumber()
                ? String.format(Locale.ROOT, "%.2f%%", 100 * fin.get("val_map50").asDouble()) : "n/a";
        out.printf(Locale.ROOT, "%s finished at iteration %,d of %,d: held-out mAP@0.5 %s; nothing to do (its weights: %s)."
                        + " To train it longer, resume with --iterations beyond %,d.%n", state.runDir(),
                state.iterationsDone(), config.iterations(), map,
                state.runDir().resolve(TrainingCheckpoints.FINAL_MODEL), state.iterationsDone());
        out.flush();
    }

    /** One session of a detector run: its trainer, the run folder's files, signals and what it prints. */
    private static final class Session {
        private final TrainCommand t;
        private final DetectionTrainConfig config;
        private final Path dataPath;
        private final Splits splits;
        private final DetectionDataset train;
        private final DetectionDataset val;
        private final Device device;
        private final Path runDir;
        private final RunState previous;

        Session(TrainCommand t, DetectionTrainConfig config, Path dataPath, Splits splits, DetectionDataset train,
                DetectionDataset val, Device device, Path runDir, RunState previous) {
            this.t = t;
            this.config = config;
            this.dataPath = dataPath;
            this.splits = splits;
            this.train = train;
            this.val = val;
            this.device = device;
            this.runDir = runDir;
            this.previous = previous;
        }

        int train(boolean fromCheckpoint) throws Exception {
            DetectorTrainer trainer = trainer(t, config, train, val, device);
            try (RunLock lock = TrainCommand.lockRunFolder(runDir, previous != null)) {
                DetectionRunJson record = listen(trainer);
                PrintWriter out = t.spec.commandLine().getOut();
                if (previous == null) {
                    printStart(out, config, dataPath, splits, train, val, device, runDir);
                } else {
                    printResume(out);
                }
                warnOfSmallNormBatches(t.spec.commandLine().getErr(), config);
                StoppableTraining.Ended<DetectorTrainer.Outcome> ended = StoppableTraining.run(
                        StopSignals.training(trainer::requestStop, record.record()), () -> trainer.run(fromCheckpoint),
                        DetectorTrainer.Outcome::completed, t.graceSeconds());
                printEnd(out, ended.outcome(), runDir);
                return ended.exitCode();
            }
        }

        private DetectionRunJson listen(DetectorTrainer trainer) {
            DetectionRunJson record = new DetectionRunJson(runDir, config, dataPath.toString(), splits.train(), train,
                    splits.val(), val).mergePrevious(previous == null ? null : previous.json());
            record.record().session(t.session(device)).resumeCommand(TrainCommand.resumeCommand(runDir));
            Path metrics = runDir.resolve("metrics.csv");
            trainer.runFolder(runDir)
                    .addListener(record)
                    .addListener(new DetectionMetricsCsv(metrics))
                    .addListener(new DetectionCurves(metrics, runDir.resolve("curves.png"), DetectorNames.of(config.model())))
                    .addListener(new DetectionProgress(t.spec.commandLine().getErr(), config.iterations()));
            return record;
        }

        private void printResume(PrintWriter out) {
            out.printf(Locale.ROOT, "resuming %s (%s) at iteration %,d of %,d from %s; its last session %s%n", runDir,
                    DetectorNames.of(config.model()), previous.resumeIteration(), config.iterations(),
                    previous.resumesFrom(), previous.howItEnded());
            out.printf(Locale.ROOT, "on %s: %,d images (%s); %d threads on %s%n", dataPath, train.images().size(),
                    splits.train(), t.engine.threads(), device);
            out.flush();
        }
    }

    private void refuseClassificationOptions(TrainCommand t) {
        var parsed = t.spec.commandLine().getParseResult();
        for (String option : CLASSIFICATION_ONLY) {
            if (parsed.hasMatchedOption(option)) {
                throw new UsageException(option + " is a classification option; detection training does not use it");
            }
        }
    }

    private static Path requireData(TrainCommand t) {
        if (t.data == null) {
            throw new UsageException("--data ROOT is required: a Pascal VOC root (Annotations/, JPEGImages/,"
                    + " ImageSets/Main/) or a COCO root (annotations/instances_SPLIT.json); 'resnet4j sample --task"
                    + " detection OUT' writes a small one");
        }
        if (!Files.isDirectory(t.data)) {
            throw new UsageException("--data " + t.data + " is not a folder; detection needs a Pascal VOC or COCO root");
        }
        return t.data;
    }

    /** The splits trained on and scored (val null: no evaluation). */
    record Splits(String train, String val) {
        static Splits recorded(JsonNode dataset) {
            return new Splits(dataset.get("train_split").asText(),
                    dataset.has("val_split") ? dataset.get("val_split").asText() : null);
        }
    }

    private Splits splits(Path root) throws IOException {
        boolean voc = VocDataset.isVocRoot(root);
        List<String> available = voc ? List.of() : CocoDataset.splits(root);
        if (!voc && available.isEmpty()) {
            throw new UsageException(root + " is neither a Pascal VOC root (Annotations/, ImageSets/Main/, JPEGImages/)"
                    + " nor a COCO root (annotations/instances_SPLIT.json); 'resnet4j sample --task detection OUT' writes"
                    + " a small one");
        }
        String trainName = trainSplit != null ? trainSplit
                : voc ? (hasVocList(root, "trainval") ? "trainval" : "train") : pick(available, "train", root);
        if ("none".equals(valSplit)) {
            return new Splits(trainName, null);
        }
        String valName = valSplit != null ? valSplit
                : voc ? (hasVocList(root, "test") ? "test" : hasVocList(root, "val") ? "val" : null)
                : available.stream().filter(s -> s.startsWith("val")).findFirst().orElse(null);
        if (valName != null && valName.equals(trainName)) {
            throw new UsageException("--val-split " + valName + " is the split trained on; score on held-out images"
                    + " (or --val-split none)");
        }
        return new Splits(trainName, valName);
    }

    private static boolean hasVocList(Path root, String split) {
        return Files.isRegularFile(root.resolve("ImageSets/Main/" + split + ".txt"));
    }

    private static String pick(List<String> splits, String prefix, Path root) {
        List<String> matching = splits.stream().filter(s -> s.startsWith(prefix)).toList();
        if (matching.size() != 1) {
            throw new UsageException(root + " has the COCO splits " + splits + "; choose the one to train on with"
                    + " --train-split");
        }
        return matching.get(0);
    }

    /** The paper's recipe on the model asked for, with every option given. */
    private DetectionTrainConfig config(TrainCommand t, DetectionDataset train) throws IOException {
        try {
            DetectionTrainConfig c = recipe(t, train.numClasses())
                    .withInit(t.init, t.freezeUntil != null ? ResNet.parseFrozenPrefix(t.freezeUntil) : 2)
                    .withSeed(t.seed);
            if (t.batchSize != null) {
                c = c.withBatchSize(t.batchSize);
            }
            int perEpoch = new DetectionTrainingSet(train, ImageLoader.DEFAULT_MAX_PIXELS).batchesPerEpoch(c.batchSize());
            if (t.epochs != null && t.iterations != null) {
                throw new UsageException("give --epochs or --iterations, not both");
            }
            if (t.epochs != null || t.iterations != null) {
                c = c.withIterations(t.iterations != null ? t.iterations : (long) t.epochs * Math.max(perEpoch, 1));
            }
            if (t.lr != null) {
                c = c.withLearningRate(t.lr);
            }
            if (t.milestones != null) {
                c = c.withMilestones(t.milestones);
            }
            c = c.withOptimizer(t.momentum != null ? t.momentum : c.momentum(),
                    t.weightDecay != null ? t.weightDecay : c.weightDecay());
            c = c.withHorizontalFlip(!t.noAugment).withCadence(orElse(t.checkpointEvery, c.checkpointEvery()),
                    orElse(t.logEvery, c.logEvery()), orElse(t.evalEvery, c.evalEvery()));
            if (t.freezeUntil != null && t.init == null) {
                throw new UsageException("--freeze-until needs --init: a detector trained from scratch trains every"
                        + " layer (with batch norm learning, as torchvision does)");
            }
            return c;
        } catch (InvalidConfigException e) {
            String flag = FLAGS.get(e.parameter());
            throw new UsageException(flag == null ? e.getMessage() : flag + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /** The named recipe on its model: --model (or the --init backbone) for the paper's, the demo's own for the demo. */
    private DetectionTrainConfig recipe(TrainCommand t, int numClasses) throws IOException {
        String name = recipe == null ? "paper" : recipe;
        switch (name) {
            case "paper" -> {
                return DetectionTrainConfig.paper(model(t, numClasses));
            }
            case "demo" -> {
                if (t.model != null || t.init != null) {
                    throw new UsageException("--recipe demo trains its own model (fasterrcnn_resnet18_c4 from scratch);"
                            + " drop --model and --init, or use --recipe paper");
                }
                DetectionTrainConfig demo = DetectionTrainConfig.demo(numClasses);
                return demo.withModel(sized(demo.model()));
            }
            default -> throw new UsageException("--recipe is paper or demo, got " + name);
        }
    }

    private FasterRcnnConfig sized(FasterRcnnConfig m) {
        int min = minSize != null ? minSize : m.transform().minSize();
        int max = maxSize != null ? maxSize : Math.max(m.transform().maxSize(), min);
        if (max < min) {
            throw new UsageException("--max-size " + max + " is below the shorter side " + min + " (--min-size); the longer"
                    + " side cannot be shorter than the shorter one");
        }
        return m.withTransform(m.transform().withSizes(min, max));
    }

    private static int orElse(Integer value, int otherwise) {
        return value != null ? value : otherwise;
    }

    /** The detector: --model, or the --init weights' backbone in the paper's C4 design; sizes as asked. */
    private FasterRcnnConfig model(TrainCommand t, int numClasses) throws IOException {
        ResNetConfig source = t.init != null ? initConfig(t.init) : null;
        String name = t.model != null ? t.model
                : "fasterrcnn_" + (source != null ? source.spec().name() : "resnet50") + "_c4";
        FasterRcnnConfig m = DetectorNames.parse(name, numClasses);
        if (source != null && !source.spec().name().equals(m.backbone())) {
            throw new UsageException("--init " + t.init + " holds " + source.spec().name() + ", not the backbone of --model "
                    + t.model + "; drop --model or name fasterrcnn_" + source.spec().name() + "_c4");
        }
        boolean bottleneck = ResNetConfig.of(m.backbone()).spec().blockType() == BlockType.BOTTLENECK;
        if (source != null && bottleneck) {
            m = m.withStridePlacement(source.stridePlacement());
        } else if (t.strideOn != null) {
            m = m.withStridePlacement(StridePlacement.parse(t.strideOn));
        }
        return sized(m);
    }

    private static ResNetConfig initConfig(String weights) throws IOException {
        try (NDManager scratch = NDManager.newBaseManager()) {
            return FineTuning.sourceConfig(weights, scratch);
        }
    }

    private static Path runDir(TrainCommand t, DetectionTrainConfig config) {
        Path dir = t.output != null ? t.output : Path.of("runs", DetectorNames.of(config.model()) + "-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT)));
        if (Files.exists(dir.resolve(RunJson.FILE))) {
            throw new UsageException(dir + " already holds a run; use --resume " + dir + " to continue it, or another"
                    + " --output");
        }
        return dir;
    }

    private static DetectorTrainer trainer(TrainCommand t, DetectionTrainConfig config, DetectionDataset train,
            DetectionDataset val, Device device) {
        DetectorTrainer trainer = UsageException.rethrowUnchecked(() -> new DetectorTrainer(config,
                new DetectionTrainingSet(train, ImageLoader.DEFAULT_MAX_PIXELS), val, ImageLoader.DEFAULT_MAX_PIXELS,
                device));
        trainer.checkpoints(t.checkpointMinutes != null ? t.checkpointMinutes : DEFAULT_CHECKPOINT_MINUTES,
                t.keep != null ? t.keep : DetectorTrainer.DEFAULT_KEEP);
        return t.stopAfter != null ? trainer.stopAt(t.stopAfter) : trainer;
    }

    private static void printStart(PrintWriter out, DetectionTrainConfig config, Path dataPath, Splits splits,
            DetectionDataset train, DetectionDataset val, Device device, Path runDir) {
        out.printf(Locale.ROOT, "training %s (%s recipe) on %s: %,d images (%s), %d classes, scoring %s; %,d iterations"
                        + " of %d image(s), lr %s, shorter side %d, on %s -> %s%n",
                DetectorNames.of(config.model()), config.recipe(), dataPath, train.images().size(), splits.train(),
                train.numClasses() - 1, val == null ? "nothing"
                        : String.format(Locale.ROOT, "%,d images (%s) with VOC07 mAP@0.5", val.images().size(), splits.val()),
                config.iterations(), config.batchSize(), config.schedule().baseRate(), config.model().transform().minSize(),
                device, runDir);
        out.flush();
    }

    /** Batch norm that learns from one or two images a step keeps running statistics its held-out scores suffer from. */
    private static void warnOfSmallNormBatches(PrintWriter err, DetectionTrainConfig config) {
        if (config.trainableNorm() && config.batchSize() < SMALLEST_NORM_BATCH) {
            err.printf(Locale.ROOT, "resnet4j: warning: batch norm learns from %d image(s) a step, whose statistics differ"
                    + " from the running averages it is evaluated with; use --batch-size %d or more, or --init"
                    + " weights (frozen batch norm)%n", config.batchSize(), SMALLEST_NORM_BATCH);
            err.flush();
        }
    }

    private static void printEnd(PrintWriter out, DetectorTrainer.Outcome o, Path runDir) {
        String loss = o.lastLosses() == null ? "n/a" : String.format(Locale.ROOT, "%.4f", o.lastLosses().total());
        String map = Double.isNaN(o.lastMap50()) ? "n/a" : String.format(Locale.ROOT, "%.2f%%", 100 * o.lastMap50());
        out.printf(Locale.ROOT, "%s at iteration %,d: loss %s, held-out mAP@0.5 %s, %.2f images/s, %s%n",
                o.completed() ? "finished" : "stopped", o.iteration(), loss, map, o.imagesPerSecond(),
                io.resnet4j.train.ProgressReporter.duration((long) o.seconds()));
        out.printf(Locale.ROOT, "run folder %s: %s, metrics.csv, curves.png, run.json%n", runDir,
                o.completed() ? "model.safetensors" : "checkpoint " + o.lastCheckpoint());
        if (!o.completed()) {
            out.printf(Locale.ROOT, "continue with: %s%n", TrainCommand.resumeCommand(runDir));
        }
        out.flush();
    }
}
