package io.resnet4j.data;

import java.util.Arrays;

/**
 * Maps raw pixel bytes to network inputs: {@code out = (pixel/255 - mean[c,y,x]) / std[c]}.
 *
 * <p>Why this form: it covers both the paper and the usual PyTorch pipelines with one fast code path.
 * <ul>
 *   <li>{@link #paper(float[])} (the default) is the paper's per-pixel mean subtraction, scaled exactly as
 *       the PyTorch yardstick (pytorch_train_reference.py) does:
 *       {@code (x - mean) / 64.0} in 0..255 units, i.e. {@code std = 64/255} for every channel. The
 *       paper states no scaling; dividing by 64 (about the pixel standard deviation of CIFAR-10) keeps
 *       the inputs near unit variance, and matching the reference keeps accuracies comparable.
 *   <li>{@link #perChannel(float[], float[])} is the torchvision habit of a per-<em>channel</em> mean and
 *       standard deviation (e.g. mean (0.4914, 0.4822, 0.4465)). That is not what the paper says and not
 *       what the reference does; it is here for users who bring weights trained that way.
 * </ul>
 *
 * <p>The mean is a full CHW image, indexed by <em>output</em> position: after a crop or flip the mean
 * of position (y, x) is subtracted from whatever pixel landed at (y, x), as the reference does (it
 * crops and flips raw pixels, then subtracts the mean image). The two arrays are what a checkpoint
 * stores ({@link #mean()}, {@link #std()}, {@link #of(float[], float[])}).
 */
public final class Normalization {
    /** The reference's divisor in 0..255 units. */
    public static final float REFERENCE_DIVISOR = 64f;

    private final float[] mean;
    private final float[] std;
    /** lut[c*256 + v] = v / 255 / std[c]: the pixel term, so the inner loop has no division. */
    private final float[] lut;
    /** meanScaled[k] = mean[k] / std[c(k)]. */
    private final float[] meanScaled;

    private Normalization(float[] mean, float[] std) {
        if (mean.length != CifarData.IMAGE_SIZE) {
            throw new IllegalArgumentException("mean image must have " + CifarData.IMAGE_SIZE + " values, got "
                    + mean.length);
        }
        if (std.length != CifarData.CHANNELS) {
            throw new IllegalArgumentException("std must have " + CifarData.CHANNELS + " values, got " + std.length);
        }
        for (float s : std) {
            if (!(s > 0) || !Float.isFinite(s)) {
                throw new IllegalArgumentException("std values must be positive and finite: " + Arrays.toString(std));
            }
        }
        this.mean = mean.clone();
        this.std = std.clone();
        this.lut = new float[CifarData.CHANNELS * 256];
        this.meanScaled = new float[CifarData.IMAGE_SIZE];
        for (int c = 0; c < CifarData.CHANNELS; c++) {
            // The divisor in 0..255 units. A std stored as a float (64f/255f) is not exactly 64/255, so a
            // divisor within 1e-4 of a whole number is snapped to it: the reference divides by exactly 64,
            // and raw() must return exactly the pixel values.
            double d = 255.0 * std[c];
            if (Math.abs(d - Math.rint(d)) < 1e-4) {
                d = Math.rint(d);
            }
            // Computed in double and rounded once, so each term is as close as float allows.
            for (int v = 0; v < 256; v++) {
                lut[c * 256 + v] = (float) (v / d);
            }
            for (int k = c * CifarData.PLANE; k < (c + 1) * CifarData.PLANE; k++) {
                meanScaled[k] = (float) (mean[k] * 255.0 / d);
            }
        }
    }

    /**
     * The paper's normalisation with the reference's scale: per-pixel mean subtracted, divided by 64/255.
     *
     * @param perPixelMean the training split's mean image from {@link PixelMean#compute(CifarData)}
     * @return the normalisation
     */
    public static Normalization paper(float[] perPixelMean) {
        float s = REFERENCE_DIVISOR / 255f;
        return new Normalization(perPixelMean, new float[] {s, s, s});
    }

    /**
     * Per-channel mean and standard deviation (the torchvision convention), in [0,1] scale.
     *
     * @param channelMean three means, e.g. {@code {0.4914f, 0.4822f, 0.4465f}}
     * @param channelStd three standard deviations
     * @return the normalisation
     */
    public static Normalization perChannel(float[] channelMean, float[] channelStd) {
        if (channelMean.length != CifarData.CHANNELS) {
            throw new IllegalArgumentException("channel mean must have 3 values, got " + channelMean.length);
        }
        float[] m = new float[CifarData.IMAGE_SIZE];
        for (int c = 0; c < CifarData.CHANNELS; c++) {
            Arrays.fill(m, c * CifarData.PLANE, (c + 1) * CifarData.PLANE, channelMean[c]);
        }
        return new Normalization(m, channelStd);
    }

    /**
     * Rebuilds a normalisation from its stored arrays (e.g. read back from a checkpoint).
     *
     * @param mean {@code float[3072]} CHW mean image in [0,1] scale
     * @param std {@code float[3]} per-channel divisors in [0,1] scale
     * @return the normalisation
     */
    public static Normalization of(float[] mean, float[] std) {
        return new Normalization(mean, std);
    }

    /**
     * Outputs the raw pixel values 0..255 as floats (mean 0, std 1/255). Why: lets tests and
     * visualisations look at exactly which pixel went where.
     *
     * @return the identity normalisation
     */
    public static Normalization raw() {
        float s = 1f / 255f;
        return new Normalization(new float[CifarData.IMAGE_SIZE], new float[] {s, s, s});
    }

    /** @return a copy of the CHW mean image, [0,1] scale, for checkpoints */
    public float[] mean() {
        return mean.clone();
    }

    /** @return a copy of the three per-channel divisors, [0,1] scale, for checkpoints */
    public float[] std() {
        return std.clone();
    }

    /**
     * Normalises one value.
     *
     * @param k CHW position within the image ({@code c*1024 + y*32 + x}) the value is written to
     * @param pixel raw value 0..255 (0 for padding)
     * @return the network input
     */
    public float apply(int k, int pixel) {
        return lut[(k >> 10) * 256 + pixel] - meanScaled[k];
    }

    /**
     * Normalises one whole image without augmentation (evaluation and prediction).
     *
     * @param src raw CHW bytes
     * @param srcOffset offset of the image in {@code src}
     * @param dst output floats
     * @param dstOffset offset of the image in {@code dst}
     */
    public void apply(byte[] src, int srcOffset, float[] dst, int dstOffset) {
        for (int c = 0; c < CifarData.CHANNELS; c++) {
            int lutBase = c * 256;
            int start = c * CifarData.PLANE;
            int end = start + CifarData.PLANE;
            for (int k = start; k < end; k++) {
                dst[dstOffset + k] = lut[lutBase + (src[srcOffset + k] & 0xFF)] - meanScaled[k];
            }
        }
    }

    /** Package access for {@link Augmentation}'s inner loop: the per-channel pixel table. */
    float[] lut() {
        return lut;
    }

    /** Package access for {@link Augmentation}'s inner loop: mean / std per position. */
    float[] meanScaled() {
        return meanScaled;
    }
}
