package io.resnet4j.image;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

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
        BufferedImage img;
        try (InputStream in = Files.newInputStream(file)) {
            img = ImageIO.read(in);
        } catch (RuntimeException e) {
            // Some ImageIO plugins signal corrupt data with unchecked exceptions.
            throw new IOException(file + " is not a readable image: " + e.getMessage(), e);
        }
        if (img == null) {
            throw new IOException(file + " is not a JPEG or PNG image (no decoder recognises it)");
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
