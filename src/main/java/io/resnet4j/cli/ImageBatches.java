package io.resnet4j.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.resnet4j.image.ImageLoader;
import io.resnet4j.image.ImageTransform;
import io.resnet4j.io.PrintableText;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The images of predict and features: files and folders expanded to image files, decoded and
 * transformed batch by batch. An image that cannot be read (corrupt, too many pixels, not a
 * regular file, too large for the heap) is reported on stderr by name and skipped; the others
 * still run, and {@link #failures()} makes the command exit 1 at the end. Recoverable damage (a
 * truncated JPEG) is a warning naming the file, and the image is used.
 */
final class ImageBatches {

    /** Folders larger than this get a progress bar on stderr. */
    static final int PROGRESS_THRESHOLD = 50;

    private final List<Path> files = new ArrayList<>();
    private final PrintWriter err;
    private final ImageTransform transform;
    private final long maxPixels;
    private int failures;
    private int missing;
    private int done;

    /** One batch: the images that decoded and their (N, 3, S, S) input. */
    record Batch(List<Path> images, NDArray input) {}

    ImageBatches(List<Path> inputs, ImageTransform transform, long maxPixels, PrintWriter err) throws IOException {
        this.err = err;
        this.transform = transform;
        this.maxPixels = maxPixels;
        for (Path p : inputs) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> walk = Files.walk(p)) {
                    walk.filter(Files::isRegularFile).filter(ImageBatches::isImageName).sorted().forEach(files::add);
                }
            } else if (Files.isRegularFile(p)) {
                files.add(p); // named explicitly: try it whatever its extension
            } else {
                // A FIFO or device would block the read; nothing there is a typo.
                skip(p, Files.exists(p) ? "not a regular file (a FIFO, socket or device)" : "no such file or folder");
                missing++;
            }
        }
    }

    private void skip(Path file, String why) {
        failures++;
        clearProgress();
        err.println(PrintableText.of("resnet4j: skipping " + file + ": " + why));
    }

    private static boolean isImageName(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return !n.startsWith(".") && (n.endsWith(".jpg") || n.endsWith(".jpeg") || n.endsWith(".png"));
    }

    private void warn(String warning) {
        clearProgress();
        err.println(PrintableText.of("resnet4j: warning: " + warning));
    }

    int total() {
        return files.size();
    }

    /** Inputs that did not exist (counted in failures too). */
    int failuresOfMissing() {
        return missing;
    }

    int failures() {
        return failures;
    }

    /** The next batch of up to {@code size} decodable images, or null when all are done. */
    Batch next(int size, NDManager manager) {
        List<Path> ok = new ArrayList<>();
        List<float[]> inputs = new ArrayList<>();
        while (ok.size() < size && done < files.size()) {
            Path f = files.get(done++);
            try {
                inputs.add(transform.apply(ImageLoader.read(f, maxPixels, this::warn)));
                ok.add(f);
            } catch (IOException | RuntimeException | OutOfMemoryError e) {
                // One bad image must not cost the others their results.
                skip(f, ImageLoader.describe(e));
            }
            progress();
        }
        if (ok.isEmpty()) {
            finishProgress();
            return null;
        }
        int s = transform.crop();
        float[] all = new float[inputs.size() * 3 * s * s];
        for (int i = 0; i < inputs.size(); i++) {
            System.arraycopy(inputs.get(i), 0, all, i * 3 * s * s, 3 * s * s);
        }
        return new Batch(ok, manager.create(all, new Shape(inputs.size(), 3, s, s)));
    }

    private void progress() {
        if (files.size() < PROGRESS_THRESHOLD) {
            return;
        }
        int width = 30;
        int filled = (int) ((long) width * done / files.size());
        err.print("\r[" + "#".repeat(filled) + "-".repeat(width - filled) + "] " + done + "/" + files.size() + " images");
        err.flush();
    }

    private void clearProgress() {
        if (files.size() >= PROGRESS_THRESHOLD) {
            err.print("\r");
        }
    }

    private void finishProgress() {
        if (files.size() >= PROGRESS_THRESHOLD && done == files.size()) {
            err.println();
            err.flush();
        }
    }
}
