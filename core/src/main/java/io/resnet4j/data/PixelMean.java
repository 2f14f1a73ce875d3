package io.resnet4j.data;

/**
 * The paper's per-pixel mean: the mean image of the training split.
 *
 * <p>Why a separate, storable value: He et al. (section 4.2) feed the network "32x32 images, with the
 * per-pixel mean subtracted". The mean must come from the images the model trains on (the 45k split
 * when validating on the last 5k) and must travel with the model into checkpoints, because
 * evaluation and prediction have to subtract the same image. It is therefore a plain
 * {@code float[3072]} in [0,1] scale ({@code pixel / 255}), CHW like the images.
 */
public final class PixelMean {
    private PixelMean() {
    }

    /**
     * Computes the mean image of a data set.
     *
     * @param data the training split
     * @return {@code float[3072]}, CHW: {@code mean[c*1024 + y*32 + x]} is the average of
     *     {@code pixel(i, c, y, x) / 255} over all images {@code i}
     * @throws IllegalArgumentException for an empty data set
     */
    public static float[] compute(CifarData data) {
        int n = data.size();
        if (n == 0) {
            throw new IllegalArgumentException("cannot compute the mean image of an empty data set");
        }
        byte[] px = data.pixels();
        // Exact integer sums (50,000 * 255 fits an int by far), so the result does not depend on
        // summation order; long in case a larger data set comes through here.
        long[] sum = new long[CifarData.IMAGE_SIZE];
        for (int i = 0, base = 0; i < n; i++, base += CifarData.IMAGE_SIZE) {
            for (int k = 0; k < CifarData.IMAGE_SIZE; k++) {
                sum[k] += px[base + k] & 0xFF;
            }
        }
        float[] mean = new float[CifarData.IMAGE_SIZE];
        double scale = 1.0 / (255.0 * n);
        for (int k = 0; k < mean.length; k++) {
            mean[k] = (float) (sum[k] * scale);
        }
        return mean;
    }

    /** @return an all-zero mean image, i.e. no mean subtraction */
    public static float[] zero() {
        return new float[CifarData.IMAGE_SIZE];
    }
}
