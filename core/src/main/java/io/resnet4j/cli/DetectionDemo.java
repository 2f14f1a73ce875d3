package io.resnet4j.cli;

import ai.djl.Device;
import io.resnet4j.detection.AnnotatedImage;
import io.resnet4j.detection.Detection;
import io.resnet4j.detection.DetectionImages;
import io.resnet4j.detection.data.DetectionSample;
import io.resnet4j.detection.data.VocDataset;
import io.resnet4j.detection.model.DetectorNames;
import io.resnet4j.detection.train.DetectionCurves;
import io.resnet4j.detection.train.DetectionMetricsCsv;
import io.resnet4j.detection.train.DetectionRunJson;
import io.resnet4j.detection.train.DetectionTrainConfig;
import io.resnet4j.detection.train.DetectionTrainingListener;
import io.resnet4j.detection.train.DetectionTrainingSet;
import io.resnet4j.detection.train.DetectorTrainer;
import io.resnet4j.image.ImageLoader;
import io.resnet4j.inference.ImageDetector;
import io.resnet4j.train.ProgressReporter;
import io.resnet4j.train.StopSignals;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import picocli.CommandLine.Option;

/**
 * {@code resnet4j demo --task detection}: writes the procedural shapes set, trains the demo's C4
 * detector on it ({@link DetectionTrainConfig#demo}), prints the held-out mAP@0.5 before and after
 * training, and draws the trained detector's detections on a few held-out images.
 */
final class DetectionDemo {

    /** Held-out images drawn with their detections. */
    static final int DRAWN = 4;
    /** Detections below this score are left off the drawings. */
    static final float DRAW_SCORE = 0.5f;

    @Option(names = "--task", paramLabel = "classification|detection", defaultValue = "classification",
            description = "classification (ResNet-20 against plain-20 on the CIFAR-format sample) or detection (a C4"
                    + " Faster R-CNN trained on procedural shapes, its held-out mAP@0.5 before and after, and drawings of"
                    + " its detections) (default: ${DEFAULT-VALUE}).")
    String task;

    boolean requested() {
        return switch (task) {
            case "classification" -> false;
            case "detection" -> true;
            default -> throw new UsageException("--task is classification or detection, got " + task);
        };
    }

    int run(DemoCommand d) throws Exception {
        var parsed = d.spec.commandLine().getParseResult();
        for (String option : List.of("--models", "--epochs")) {
            if (parsed.hasMatchedOption(option)) {
                throw new UsageException(option + " is for the classification demo; the detection demo takes"
                        + " --iterations, --output and --seed");
            }
        }
        Path dir = d.output != null ? d.output : Path.of("runs", "demo-detection-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT)));
        if (Files.exists(dir) && !(Files.isDirectory(dir) && isEmpty(dir))) {
            throw new UsageException(dir + " already exists and is not an empty folder; choose a new --output (the demo"
                    + " never overwrites anything)");
        }
        Device device = d.engine.apply();
        PrintWriter out = d.spec.commandLine().getOut();
        Path shapes = dir.resolve("shapes");
        Path runDir = dir.resolve("run");
        DetectionSample.write(shapes, DetectionTrainConfig.demoData(d.seed));
        VocDataset train = VocDataset.read(shapes, "train");
        VocDataset val = VocDataset.read(shapes, "val");
        DetectionTrainConfig config = DetectionTrainConfig.demo(train.numClasses()).withSeed(d.seed);
        if (d.iterations != null) {
            DetectionTrainConfig recipe = config;
            config = UsageException.rethrowUnchecked(() -> recipe.withIterations(d.iterations));
        }
        out.printf(Locale.ROOT, "resnet4j demo --task detection: %s from scratch on procedural shapes (%d training and %d"
                        + " held-out images of 128x128 pixels, classes: %s), %,d iterations, %d threads on %s -> %s%n",
                DetectorNames.of(config.model()), train.images().size(), val.images().size(),
                String.join(", ", DetectionSample.CLASS_NAMES), config.iterations(), d.engine.threads(), device, dir);
        out.flush();
        DetectorTrainer.Outcome o = train(d, config, train, val, runDir, device);
        if (!o.completed()) {
            out.println("interrupted; the run so far is in " + runDir + " (continue with: " + Launcher.command() + " train --resume "
                    + runDir + ")");
            out.flush();
            return 130;
        }
        List<Path> drawings = draw(runDir.resolve("model.safetensors"), val, dir.resolve("detections"), device);
        out.printf(Locale.ROOT, "%nheld-out mAP@0.5 (VOC07): untrained %.2f%%, trained %.2f%% after %,d iterations (%s)%n",
                100 * untrainedMap, 100 * o.lastMap50(), o.iteration(), ProgressReporter.duration((long) o.seconds()));
        out.printf(Locale.ROOT, "curves: %s%ndetections (score >= %.1f): %s%nrun: %s (data: %s)%n",
                runDir.resolve("curves.png"), DRAW_SCORE, drawings.isEmpty() ? "none" : drawings.get(0).getParent(),
                runDir, shapes);
        out.flush();
        return 0;
    }

    private double untrainedMap = Double.NaN;

    private DetectorTrainer.Outcome train(DemoCommand d, DetectionTrainConfig config, VocDataset train, VocDataset val,
            Path runDir, Device device) throws Exception {
        long maxPixels = ImageLoader.DEFAULT_MAX_PIXELS;
        DetectorTrainer trainer = new DetectorTrainer(config, new DetectionTrainingSet(train, maxPixels), val, maxPixels,
                device).runFolder(runDir);
        Path metrics = runDir.resolve("metrics.csv");
        Files.createDirectories(runDir);
        DetectionRunJson record = new DetectionRunJson(runDir, config, train.root().toString(), "train", train, "val", val);
        trainer.addListener(record)
                .addListener(new DetectionMetricsCsv(metrics))
                .addListener(new DetectionCurves(metrics, runDir.resolve("curves.png"), "demo: "
                        + DetectorNames.of(config.model()) + " on procedural shapes"))
                .addListener(new DetectionProgress(d.spec.commandLine().getErr(), config.iterations()))
                .addListener(new DetectionTrainingListener() {
                    @Override
                    public void onMetrics(Metrics m) {
                        if (m.iteration() == 0) {
                            untrainedMap = m.map50();
                        }
                    }
                });
        return StoppableTraining.run(StopSignals.training(trainer::requestStop, record.record()), () -> trainer.run(false),
                DetectorTrainer.Outcome::completed, StoppableTraining.DEFAULT_GRACE_SECONDS).outcome();
    }

    /** The first held-out images with the trained detector's confident detections, as PNGs. */
    private static List<Path> draw(Path weights, VocDataset val, Path dir, Device device) throws Exception {
        Files.createDirectories(dir);
        List<Path> written = new ArrayList<>();
        try (ImageDetector detector = ImageDetector.open(weights.toString(), device)) {
            for (AnnotatedImage image : val.images().subList(0, Math.min(DRAWN, val.images().size()))) {
                BufferedImage pixels = ImageIO.read(image.file().toFile());
                List<Detection> confident = detector.detect(pixels).stream().filter(x -> x.score() >= DRAW_SCORE).toList();
                Path png = dir.resolve(image.id() + ".png");
                DetectionImages.writePng(png, pixels, confident);
                written.add(png);
            }
        }
        return written;
    }

    private static boolean isEmpty(Path dir) throws java.io.IOException {
        try (var s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }
}
