package io.resnet4j.image;

import io.resnet4j.files.InputFiles;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import java.util.function.Consumer;
import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes JPEG and PNG files (javax.imageio) to 8-bit RGB the way PIL's {@code convert("RGB")}
 * does: grayscale is replicated into the three channels and alpha is dropped (not composited).
 *
 * <p>Image files are untrusted: a PNG of a few kilobytes can declare 30000x30000 pixels, which a
 * decoder allocates before reading a byte of image data. The size is therefore read from the
 * header first and refused above a pixel limit, PIL's {@code Image.MAX_IMAGE_PIXELS} by default.
 * Recoverable damage (a truncated JPEG decodes with grey at the end) is reported as a warning.
 */
public final class ImageLoader {

    /** PIL's default decompression-bomb limit, {@code Image.MAX_IMAGE_PIXELS}: 1024 * 1024 * 1024 / 4 / 3. */
    public static final long DEFAULT_MAX_PIXELS = 89_478_485L;
    /** The largest limit a caller may set: a decoded image must fit a Java array of 4-byte pixels. */
    public static final long MAX_PIXELS_LIMIT = Integer.MAX_VALUE / 4;

    private ImageLoader() {}

    /** Reads with the default pixel limit, ignoring warnings. */
    public static RgbImage read(Path file) throws IOException {
        return read(file, DEFAULT_MAX_PIXELS, warning -> {});
    }

    /**
     * @param maxPixels largest width x height decoded
     * @param warnings receives one line per recoverable fault, naming the file
     * @throws IOException naming the file when it cannot be read or decoded, or is larger than the limit
     */
    public static RgbImage read(Path file, long maxPixels, Consumer<String> warnings) throws IOException {
        InputFiles.requireRegularFile(file, "an image");
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            return decode(in, file.toString(), maxPixels, warnings);
        }
    }

    /**
     * Decodes the bytes of a JPEG or PNG file (a row of a data set that keeps images as binary, an
     * upload) with the default pixel limit.
     *
     * @param source names the image in messages
     */
    public static RgbImage decode(byte[] content, String source) throws IOException {
        return decode(content, source, DEFAULT_MAX_PIXELS, warning -> {});
    }

    /** Decodes bytes held in memory: no temporary-file cache, the same limits as files. */
    public static RgbImage decode(byte[] content, String source, long maxPixels, Consumer<String> warnings)
            throws IOException {
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(content))) {
            return decode(in, source, maxPixels, warnings);
        }
    }

    /** Reads the header first: an image over the pixel limit is refused before a pixel is decoded. */
    private static RgbImage decode(ImageInputStream in, String source, long maxPixels, Consumer<String> warnings)
            throws IOException {
        try {
            ImageReader reader = in == null ? null : firstReader(in);
            if (reader == null) {
                throw new IOException(source + " is not a JPEG or PNG image (no decoder recognises it)");
            }
            try {
                reader.setInput(in, true, true);
                checkSize(source, reader.getWidth(0), reader.getHeight(0), maxPixels);
                reader.addIIOReadWarningListener((from, message) -> warnings.accept(source + ": " + message));
                return toRgb(reader.read(0));
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof IOException && !(e instanceof IIOException) && String.valueOf(e.getMessage()).startsWith(source)) {
                throw e; // ours, naming the file already
            }
            if (causedByOutOfMemory(e)) {
                throw new IOException(source + ": " + describe(new OutOfMemoryError()), e);
            }
            // ImageIO signals corrupt data with IIOException, some plugins with unchecked exceptions, and a
            // header cut short with a bare EOFException (no message).
            throw new IOException(source + " is not a readable image: " + describe(e), e);
        }
    }

    /** The PNG reader catches an OutOfMemoryError and rethrows it as "Caught exception during read". */
    private static boolean causedByOutOfMemory(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof OutOfMemoryError) {
                return true;
            }
        }
        return false;
    }

    /**
     * One line for an image that could not be used, so one bad file is reported and skipped
     * rather than ending the run: out of memory while decoding says how to get past it.
     */
    public static String describe(Throwable failure) {
        if (failure instanceof OutOfMemoryError) {
            return "out of memory decoding it; lower --max-pixels or raise the heap (RESNET4J_JAVA_OPTS=-Xmx8g)";
        }
        String msg = failure.getMessage();
        return msg == null || msg.isBlank() ? failure.getClass().getSimpleName() : msg;
    }

    private static ImageReader firstReader(ImageInputStream in) {
        Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
        return readers.hasNext() ? readers.next() : null;
    }

    private static void checkSize(String file, int width, int height, long maxPixels) throws IOException {
        long pixels = (long) width * height;
        if (width < 1 || height < 1 || pixels > maxPixels) {
            throw new IOException(String.format(Locale.ROOT, "%s is %dx%d = %,d pixels, more than the limit of %,d"
                    + " (a decompression bomb, or a photo larger than a network needs); raise it with --max-pixels",
                    file, width, height, pixels, maxPixels));
        }
    }

    /**
     * The JPEG decoder's usual output (3-byte BGR, sRGB) read straight from its bytes: the same values
     * getRGB gives, without its per-pixel colour-model calls (which cost more than the decoding).
     * Null for any other layout.
     */
    private static RgbImage fromBgrBytes(BufferedImage img) {
        if (img.getType() != BufferedImage.TYPE_3BYTE_BGR || !img.getColorModel().getColorSpace().isCS_sRGB()
                || !(img.getRaster().getDataBuffer() instanceof java.awt.image.DataBufferByte data)
                || !(img.getRaster().getSampleModel() instanceof java.awt.image.PixelInterleavedSampleModel sm)) {
            return null;
        }
        int w = img.getWidth();
        int h = img.getHeight();
        int[] offsets = sm.getBandOffsets();
        if (sm.getPixelStride() != 3 || sm.getScanlineStride() != 3 * w || data.getNumBanks() != 1
                || img.getRaster().getSampleModelTranslateX() != 0 || img.getRaster().getSampleModelTranslateY() != 0
                || offsets.length != 3 || offsets[0] != 2 || offsets[1] != 1 || offsets[2] != 0) {
            return null;
        }
        byte[] bgr = data.getData();
        int base = data.getOffset();
        byte[] out = new byte[w * h * 3];
        for (int i = 0; i < out.length; i += 3) {
            out[i] = bgr[base + i + 2];
            out[i + 1] = bgr[base + i + 1];
            out[i + 2] = bgr[base + i];
        }
        return new RgbImage(w, h, out);
    }

    /** Converts any decoded image to RGB without colour management. */
    public static RgbImage toRgb(BufferedImage img) {
        RgbImage direct = fromBgrBytes(img);
        if (direct != null) {
            return direct;
        }
        int w = img.getWidth();
        int h = img.getHeight();
        byte[] out = new byte[w * h * 3];
        Raster raster = img.getRaster();
        int bands = raster.getNumBands();
        boolean gray = img.getColorModel().getColorSpace().getType() == java.awt.color.ColorSpace.TYPE_GRAY
                && bands <= 2 && img.getColorModel().getComponentSize(0) <= 16;
        if (gray) {
            // getRGB would convert linear gray to sRGB and change the values; PIL copies them.
            int shift = img.getColorModel().getComponentSize(0) - 8;
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                raster.getSamples(0, y, w, 1, 0, row);
                for (int x = 0; x < w; x++) {
                    byte v = (byte) (shift > 0 ? row[x] >> shift : row[x] << -shift);
                    int o = (y * w + x) * 3;
                    out[o] = v;
                    out[o + 1] = v;
                    out[o + 2] = v;
                }
            }
        } else {
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                img.getRGB(0, y, w, 1, row, 0, w);
                for (int x = 0; x < w; x++) {
                    int p = row[x];
                    int o = (y * w + x) * 3;
                    out[o] = (byte) (p >> 16);
                    out[o + 1] = (byte) (p >> 8);
                    out[o + 2] = (byte) p;
                }
            }
        }
        return new RgbImage(w, h, out);
    }
}
