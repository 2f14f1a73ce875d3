package io.resnet4j.inference;

import io.resnet4j.image.ImageLoader;
import io.resnet4j.image.ImageTransform;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Image files decoded and transformed batch by batch into network input. A file that cannot be
 * read (corrupt, too many pixels, too large for the heap) is reported in the batch's
 * {@link Batch#failures()} and skipped; the others still run. Recoverable damage (a truncated
 * JPEG) is a warning naming the file, and the image is used.
 */
public final class ImageBatches {

    private final List<Path> files;
    private final ImageTransform transform;
    private final long maxPixels;
    private int next;

    /** A file that could not be turned into input, and why. */
    public record Failure(Path file, String reason) {}

    /**
     * One batch: the files that decoded, their (N, 3, S, S) input as NCHW floats, and the files
     * skipped while filling it.
     */
    public record Batch(List<Path> files, float[] input, int side, List<Failure> failures, List<String> warnings) {
        public int size() {
            return files.size();
        }
    }

    /** With the default pixel limit ({@link ImageLoader#DEFAULT_MAX_PIXELS}). */
    public ImageBatches(List<Path> files, ImageTransform transform) {
        this(files, transform, ImageLoader.DEFAULT_MAX_PIXELS);
    }

    /** @param maxPixels images with more pixels are refused from their header, before decoding */
    public ImageBatches(List<Path> files, ImageTransform transform, long maxPixels) {
        this.files = List.copyOf(files);
        this.transform = transform;
        this.maxPixels = maxPixels;
    }

    /** Files handed out so far, decoded or not. */
    public int done() {
        return next;
    }

    public int total() {
        return files.size();
    }

    /** The next batch of up to {@code size} decodable images, or null when every file has been tried. */
    public Batch next(int size) {
        List<Path> ok = new ArrayList<>();
        List<float[]> inputs = new ArrayList<>();
        List<Failure> failures = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        while (ok.size() < size && next < files.size()) {
            Path f = files.get(next++);
            try {
                inputs.add(transform.apply(ImageLoader.read(f, maxPixels, warnings::add)));
                ok.add(f);
            } catch (IOException | RuntimeException | OutOfMemoryError e) {
                // One bad image must not cost the others their results.
                failures.add(new Failure(f, ImageLoader.describe(e)));
            }
        }
        if (ok.isEmpty() && failures.isEmpty()) {
            return null;
        }
        return new Batch(ok, concat(inputs, transform.crop()), transform.crop(), failures, warnings);
    }

    /** Images of {@code 3 x side x side} floats each, one after the other: an NCHW batch. */
    public static float[] concat(List<float[]> images, int side) {
        int per = 3 * side * side;
        float[] all = new float[images.size() * per];
        for (int i = 0; i < images.size(); i++) {
            System.arraycopy(images.get(i), 0, all, i * per, per);
        }
        return all;
    }
}
