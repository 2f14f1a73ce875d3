package io.resnet4j.cli;

import io.resnet4j.data.CifarSample;
import io.resnet4j.detection.data.DetectionSample;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code resnet4j sample}: writes one of the procedural sample data sets to a folder, for training and evaluation. */
@Command(name = "sample", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, sortOptions = false,
        description = {"Write a small procedural data set (shapes on backgrounds) to a new folder.",
            "classification: the embedded CIFAR-format sample (5,000 training and 1,000 test images, ten classes),"
                    + " for 'resnet4j train --data OUT'.",
            "detection: images with several shapes each and their boxes in Pascal VOC layout (Annotations,"
                    + " JPEGImages, ImageSets/Main/train.txt and val.txt), for 'resnet4j train|eval --task detection"
                    + " --data OUT'."})
final class SampleCommand implements Callable<Integer> {

    @Parameters(paramLabel = "OUT", description = "The folder to create; an existing one must be empty.")
    Path out;

    @Option(names = "--task", defaultValue = "classification", description = "classification or detection (default:"
            + " ${DEFAULT-VALUE}).")
    String task;

    @Option(names = "--train-images", defaultValue = "400", description = "Detection: training images (default: ${DEFAULT-VALUE}).")
    int trainImages;

    @Option(names = "--val-images", defaultValue = "100", description = "Detection: validation images (default: ${DEFAULT-VALUE}).")
    int valImages;

    @Option(names = "--side", defaultValue = "128", description = "Detection: image width and height in pixels (default:"
            + " ${DEFAULT-VALUE}).")
    int side;

    @Option(names = "--max-objects", defaultValue = "4", description = "Detection: at most this many shapes an image"
            + " (default: ${DEFAULT-VALUE}).")
    int maxObjects;

    @Option(names = "--seed", defaultValue = io.resnet4j.data.SampleGenerator.SEED + "",
            description = "Detection: generator seed; the same seed writes the same files (default: ${DEFAULT-VALUE}).")
    long seed;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter stdout = spec.commandLine().getOut();
        switch (task) {
            case "detection" -> {
                DetectionSample.Spec s = UsageException.rethrowUnchecked(() -> new DetectionSample.Spec(side, trainImages,
                        valImages, maxObjects, true, seed));
                UsageException.rethrow(() -> {
                    refuseNonEmpty();
                    DetectionSample.write(out, s);
                    return null;
                });
                stdout.printf(Locale.ROOT, "wrote %,d training and %,d validation images of %dx%d pixels (classes: %s)"
                        + " in Pascal VOC layout to %s%n", trainImages, valImages, side, side,
                        String.join(", ", DetectionSample.CLASS_NAMES), out);
            }
            case "classification" -> {
                refuseNonEmpty();
                extractClassification();
                stdout.printf(Locale.ROOT, "wrote the CIFAR-format sample (5,000 training and 1,000 test images) to %s%n",
                        out);
            }
            default -> throw new UsageException("--task is classification or detection, got " + task);
        }
        stdout.flush();
        return 0;
    }

    private void refuseNonEmpty() throws java.io.IOException {
        if (Files.exists(out) && !(Files.isDirectory(out) && isEmpty(out))) {
            throw new UsageException(out + " already exists and is not an empty folder; choose a new folder (a sample"
                    + " never overwrites anything)");
        }
    }

    /** Extracts beside the target and renames, so the folder is whole or absent. */
    private void extractClassification() throws java.io.IOException {
        Path target = out.toAbsolutePath().normalize();
        Files.createDirectories(target.getParent());
        Path tmp = Files.createTempDirectory(target.getParent(), "." + target.getFileName() + ".");
        try {
            Path extracted = CifarSample.extractTo(tmp);
            Files.deleteIfExists(target);
            Files.move(extracted, target, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            try (Stream<Path> s = Files.walk(tmp)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static boolean isEmpty(Path dir) throws java.io.IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }
}
