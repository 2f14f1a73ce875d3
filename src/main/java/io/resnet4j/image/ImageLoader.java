package io.resnet4j.image;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes JPEG and PNG files (javax.imageio) to 8-bit RGB the way PIL's {@code convert("RGB")}
 * does: grayscale is replicated into the three channels and alpha is dropped (not composited).
 */
public final class ImageLoader {

    private ImageLoader() {}

    /**
     * @throws IOException naming the file when it cannot be read or decoded
     */
    public static RgbImage read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return decode(() -> ImageIO.read(in), file.toString());
        }
    }

    /**
     * Decodes the bytes of a JPEG or PNG file, e.g. a row of a data set that keeps images as binary.
     *
     * @param source names the image in the exception's message
     * @throws IOException when the bytes are not a decodable image
     */
    public static RgbImage decode(byte[] content, String source) throws IOException {
        // Held in memory already: ImageIO's default stream would copy it to a temporary file first.
        // ImageIO.read closes this stream itself.
        ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(content));
        return decode(() -> ImageIO.read(in), source);
    }

    private interface Decoder {
        BufferedImage read() throws IOException;
    }

    private static RgbImage decode(Decoder decoder, String source) throws IOException {
        BufferedImage img;
        try {
            img = decoder.read();
        } catch (IIOException | RuntimeException e) {
            // Decoders name neither the image nor always the failure as an IOException; some ImageIO
            // plugins signal corrupt data with unchecked exceptions.
            throw new IOException(source + " is not a readable image: " + e.getMessage(), e);
        }
        if (img == null) {
            throw new IOException(source + " is not a JPEG or PNG image (no decoder recognises it)");
        }
        return toRgb(img);
    }

    /** Converts any decoded image to RGB without colour management. */
    public static RgbImage toRgb(BufferedImage img) {
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
