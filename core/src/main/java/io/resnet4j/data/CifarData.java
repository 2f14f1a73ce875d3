package io.resnet4j.data;

import java.util.List;
import java.util.Objects;

/**
 * One loaded split of a CIFAR-style data set, held in memory as raw bytes.
 *
 * <p>Why bytes and not floats: 50,000 images are 153 MB as bytes but 614 MB as floats, and the
 * normalised floats differ per epoch anyway (random crops and flips), so the {@link Batcher}
 * converts bytes to floats per batch. Images are stored in the CIFAR binary order, which is
 * already CHW: image {@code i} occupies {@code pixels[i*3072 .. i*3072+3071]}, red plane first, then
 * green, then blue, each plane 32 rows of 32 columns; the value of channel {@code c}, row {@code y},
 * column {@code x} is {@code pixels[i*3072 + c*1024 + y*32 + x] & 0xFF}.
 *
 * <p>The arrays are shared, not copied (a copy of the training set would cost another 150 MB);
 * treat them as read-only.
 */
public final class CifarData {
    /** Image side in pixels. */
    public static final int SIDE = 32;
    /** Colour channels. */
    public static final int CHANNELS = 3;
    /** Pixels of one channel plane. */
    public static final int PLANE = SIDE * SIDE;
    /** Bytes (and normalised floats) of one image. */
    public static final int IMAGE_SIZE = CHANNELS * PLANE;

    private final byte[] pixels;
    private final byte[] labels;
    private final List<String> classNames;
    private final String source;
    private final Split split;

    /**
     * @param pixels {@code size * 3072} bytes, CHW per image
     * @param labels {@code size} labels, each a valid index into {@code classNames}
     * @param classNames class names by label
     * @param source where the data came from (folder, archive or resource), for messages and logs
     * @param split which split this is
     */
    public CifarData(byte[] pixels, byte[] labels, List<String> classNames, String source, Split split) {
        this.pixels = Objects.requireNonNull(pixels, "pixels");
        this.labels = Objects.requireNonNull(labels, "labels");
        this.classNames = List.copyOf(classNames);
        this.source = Objects.requireNonNull(source, "source");
        this.split = Objects.requireNonNull(split, "split");
        if ((long) labels.length * IMAGE_SIZE != pixels.length) {
            throw new IllegalArgumentException(pixels.length + " pixel bytes do not hold " + labels.length
                    + " images of " + IMAGE_SIZE + " bytes");
        }
        for (int i = 0; i < labels.length; i++) {
            int l = labels[i] & 0xFF;
            if (l >= this.classNames.size()) {
                throw new IllegalArgumentException("label " + l + " of image " + i + " has no class name among "
                        + this.classNames.size());
            }
        }
    }

    /** @return number of images */
    public int size() {
        return labels.length;
    }

    /** @return all pixels, {@code size() * 3072} bytes, CHW per image; shared, do not modify */
    public byte[] pixels() {
        return pixels;
    }

    /** @return all labels, one byte (0..9) per image; shared, do not modify */
    public byte[] labels() {
        return labels;
    }

    /**
     * @param image image index
     * @return its label as an int
     */
    public int label(int image) {
        return labels[image] & 0xFF;
    }

    /**
     * @param image image index
     * @param channel 0 red, 1 green, 2 blue
     * @param y row, 0 at the top
     * @param x column, 0 at the left
     * @return the pixel value 0..255
     */
    public int pixel(int image, int channel, int y, int x) {
        return pixels[image * IMAGE_SIZE + channel * PLANE + y * SIDE + x] & 0xFF;
    }

    /** @return class names by label */
    public List<String> classNames() {
        return classNames;
    }

    /** @return the number of classes */
    public int numClasses() {
        return classNames.size();
    }

    /** @return where the data was read from (folder, archive or resource) */
    public String source() {
        return source;
    }

    /** @return which split this is */
    public Split split() {
        return split;
    }

    @Override
    public String toString() {
        return "CifarData[" + split.cliName() + ", " + size() + " images, " + source + "]";
    }
}
