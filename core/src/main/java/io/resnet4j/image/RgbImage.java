package io.resnet4j.image;

/**
 * An 8-bit RGB image, row-major with interleaved channels (the layout of a PIL "RGB" image and
 * of a numpy {@code HxWx3} uint8 array).
 *
 * @param width columns
 * @param height rows
 * @param rgb {@code height * width * 3} bytes, unsigned
 */
public record RgbImage(int width, int height, byte[] rgb) {

    public RgbImage {
        if (width < 1 || height < 1 || rgb.length != width * height * 3) {
            throw new IllegalArgumentException("an RGB image of " + width + "x" + height + " needs "
                    + (long) width * height * 3 + " bytes, got " + rgb.length);
        }
    }

    /** Channel c (0 red, 1 green, 2 blue) of pixel (x, y), 0-255. */
    public int get(int x, int y, int c) {
        return rgb[(y * width + x) * 3 + c] & 0xff;
    }
}
