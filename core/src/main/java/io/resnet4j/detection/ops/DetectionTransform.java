package io.resnet4j.detection.ops;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.resnet4j.image.BilinearInterpolation;
import io.resnet4j.image.RgbImage;

/**
 * torchvision's {@code GeneralizedRCNNTransform} at inference: pixels to [0, 1], per-channel
 * normalisation, a bilinear resize that brings the shorter side to {@code minSize} unless the
 * longer side would exceed {@code maxSize} (bilinear without antialiasing, see {@link
 * BilinearInterpolation}), and zero padding at the bottom and right to a multiple of {@code
 * sizeDivisible}. The scale is computed in float and the output size rounded down, as torchvision's
 * interpolate computes them, so both produce the same input.
 *
 * @param minSize the shorter side after resizing (800 in torchvision, 600 in the paper)
 * @param maxSize the cap on the longer side (1333 in torchvision, 1000 in the paper)
 * @param mean per-channel mean in [0, 1] units
 * @param std per-channel standard deviation
 * @param sizeDivisible the padded sides' multiple (32: the coarsest FPN stride)
 */
public record DetectionTransform(int minSize, int maxSize, float[] mean, float[] std, int sizeDivisible) {

    /** The largest side resnet4j resizes to (far above any detection protocol). */
    public static final int MAX_SIDE = 4096;

    public DetectionTransform {
        mean = mean.clone();
        std = std.clone();
        if (minSize < 1 || maxSize < minSize || maxSize > MAX_SIDE || sizeDivisible < 1 || mean.length != 3
                || std.length != 3) {
            throw new IllegalArgumentException("a detection transform needs 1 <= min size <= max size <= " + MAX_SIDE
                    + ", a positive size divisor and 3 means and stds; got min " + minSize + ", max " + maxSize
                    + ", divisor " + sizeDivisible);
        }
    }

    /** torchvision's defaults for its detection models: 800 / 1333, ImageNet mean and std, multiples of 32. */
    public static DetectionTransform torchvision() {
        return new DetectionTransform(800, 1333, new float[] {0.485f, 0.456f, 0.406f},
                new float[] {0.229f, 0.224f, 0.225f}, 32);
    }

    public DetectionTransform withSizes(int min, int max) {
        return new DetectionTransform(min, max, mean, std, sizeDivisible);
    }

    /**
     * An image ready for a detector.
     *
     * @param batch (1, 3, H, W), padded
     * @param height rows of the resized image inside the padding
     * @param width its columns
     * @param originalHeight rows of the image as given
     * @param originalWidth its columns
     */
    public record Input(NDArray batch, int height, int width, int originalHeight, int originalWidth) {

        /** Maps boxes on the resized image back to the original image's pixels, in place. */
        public float[] toOriginal(float[] boxes) {
            return Boxes.rescale(boxes, height, width, originalHeight, originalWidth);
        }

        /** Maps boxes in the original image's pixels onto the resized image (ground truth for training), in place. */
        public float[] toResized(float[] boxes) {
            return Boxes.rescale(boxes, originalHeight, originalWidth, height, width);
        }
    }

    /** The resized size (height, width) of an image of the given size. */
    public int[] resizedSize(int height, int width) {
        float shorter = Math.min(height, width);
        float longer = Math.max(height, width);
        // torchvision divides a Python float by a float tensor, which PyTorch computes as reciprocal times value.
        float scale = Math.min((1f / shorter) * minSize, (1f / longer) * maxSize);
        return new int[] {(int) Math.floor(height * (double) scale), (int) Math.floor(width * (double) scale)};
    }

    /** Normalises, resizes and pads an image into an array of {@code manager}. */
    public Input apply(NDManager manager, RgbImage image) {
        int h = image.height();
        int w = image.width();
        int[] size = resizedSize(h, w);
        float[] resized = BilinearInterpolation.resize(normalise(image), 3, h, w, size[0], size[1]);
        int paddedH = roundUp(size[0]);
        int paddedW = roundUp(size[1]);
        float[] padded = new float[3 * paddedH * paddedW];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < size[0]; y++) {
                System.arraycopy(resized, (c * size[0] + y) * size[1], padded, (c * paddedH + y) * paddedW, size[1]);
            }
        }
        return new Input(manager.create(padded, new Shape(1, 3, paddedH, paddedW)), size[0], size[1], h, w);
    }

    /** Pixels to [0, 1], then (x - mean) / std per channel, channel-first: torchvision's order of float operations. */
    private float[] normalise(RgbImage image) {
        int pixels = image.width() * image.height();
        byte[] rgb = image.rgb();
        float[] out = new float[3 * pixels];
        for (int i = 0; i < pixels; i++) {
            for (int c = 0; c < 3; c++) {
                out[c * pixels + i] = ((rgb[3 * i + c] & 0xff) / 255f - mean[c]) / std[c];
            }
        }
        return out;
    }

    private int roundUp(int side) {
        return (side + sizeDivisible - 1) / sizeDivisible * sizeDivisible;
    }
}
