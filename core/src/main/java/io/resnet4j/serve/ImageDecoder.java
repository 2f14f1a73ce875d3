package io.resnet4j.serve;

import io.resnet4j.image.ImageLoader;
import io.resnet4j.image.RgbImage;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.function.Function;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes uploaded JPEG and PNG bytes exactly as {@link ImageLoader#read} decodes files (the same
 * ImageIO reader and RGB conversion, so the server and {@code resnet4j predict} agree), after
 * checking the declared dimensions: a small file can declare a huge image (a "decompression
 * bomb"), so the pixel count is read from the header before any pixel is decoded.
 */
public final class ImageDecoder {

    /** PIL's default {@code Image.MAX_IMAGE_PIXELS}: 1024 * 1024 * 1024 / 4 / 3. */
    public static final long DEFAULT_MAX_PIXELS = 89_478_485L;

    private final long maxPixels;
    /**
     * A large image takes several bytes per pixel while it is decoded and resized, so as many
     * decodes run at once as there are cores (decoding is CPU-bound: more would not be faster),
     * and memory stays bounded however many uploads arrive together.
     */
    private final Semaphore decoding = new Semaphore(Math.max(2, Runtime.getRuntime().availableProcessors()));

    public ImageDecoder(long maxPixels) {
        if (maxPixels < 1) {
            throw new IllegalArgumentException("maxPixels must be at least 1, got " + maxPixels);
        }
        this.maxPixels = maxPixels;
    }

    /** Decodes an image and turns it into network input while holding one of the decoding slots. */
    public float[] decodeToInput(byte[] bytes, Function<RgbImage, float[]> toInput) {
        decoding.acquireUninterruptibly();
        try {
            return toInput.apply(decode(bytes));
        } finally {
            decoding.release();
        }
    }

    public long maxPixels() {
        return maxPixels;
    }

    /**
     * @throws ApiException 415 when no decoder recognises the bytes, 413 when the image has more
     *     than the allowed pixels, 400 when the data is corrupt or truncated
     */
    public RgbImage decode(byte[] bytes) {
        if (bytes.length == 0) {
            throw ApiException.badRequest("the request body is empty: send the JPEG or PNG bytes");
        }
        // In memory: ImageIO's default stream for an InputStream caches to a temporary file.
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            ImageReader reader = firstReader(in);
            try {
                reader.setInput(in, true, true);
                checkPixels(reader.getWidth(0), reader.getHeight(0));
                return ImageLoader.toRgb(readWhole(reader));
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof ApiException api) {
                throw api;
            }
            // The decoder's own message can be long or odd; the client needs only the gist.
            throw ApiException.badRequest("the image data is corrupt or truncated and cannot be decoded");
        }
    }

    private static ImageReader firstReader(ImageInputStream in) {
        Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
        if (!readers.hasNext()) {
            throw ApiException.unsupportedMediaType("the body is not a JPEG or PNG image (no decoder recognises it)");
        }
        return readers.next();
    }

    private void checkPixels(int width, int height) {
        long pixels = (long) width * height;
        if (pixels > maxPixels) {
            throw ApiException.tooLarge(String.format(Locale.ROOT,
                    "the image is %d x %d = %,d pixels; this server accepts at most %,d", width, height, pixels,
                    maxPixels));
        }
    }

    /**
     * The image as {@code ImageIO.read} returns it, except that a stream ending before its last
     * pixel is an error (as in PIL), not a picture half filled with grey.
     */
    private static BufferedImage readWhole(ImageReader reader) throws IOException {
        TruncationWatch watch = new TruncationWatch();
        reader.addIIOReadWarningListener(watch);
        BufferedImage image = reader.read(0, reader.getDefaultReadParam());
        if (watch.truncated) {
            throw new IOException("premature end of image data");
        }
        return image;
    }

    /** The JPEG reader reports a cut-off stream only as a warning. */
    private static final class TruncationWatch implements IIOReadWarningListener {
        boolean truncated;

        @Override
        public void warningOccurred(ImageReader source, String warning) {
            if (warning != null && warning.toLowerCase(Locale.ROOT).contains("premature end")) {
                truncated = true;
            }
        }
    }
}
