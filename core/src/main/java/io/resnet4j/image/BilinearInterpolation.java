package io.resnet4j.image;

/**
 * PyTorch's {@code F.interpolate(x, size, mode="bilinear", align_corners=False)} without
 * antialiasing, on channel-first float images: each output pixel mixes the four input pixels around
 * {@code (i + 0.5) * in / out - 0.5} (clamped at 0), width first, in float as libtorch's CPU kernel
 * computes it. torchvision's detection models resize their input this way; DJL's own resize
 * antialiases, which changes every downscaled pixel. (For PIL's filter see {@link Resampler}.)
 */
public final class BilinearInterpolation {

    private BilinearInterpolation() {}

    /**
     * @param chw {@code channels x height x width} values, row-major
     * @return {@code channels x outHeight x outWidth} values
     */
    public static float[] resize(float[] chw, int channels, int height, int width, int outHeight, int outWidth) {
        if ((long) channels * height * width != chw.length || outHeight < 1 || outWidth < 1) {
            throw new IllegalArgumentException("cannot resize " + chw.length + " values as " + channels + "x" + height
                    + "x" + width + " to " + outHeight + "x" + outWidth);
        }
        Taps ys = taps(height, outHeight);
        Taps xs = taps(width, outWidth);
        float[] out = new float[channels * outHeight * outWidth];
        int o = 0;
        for (int c = 0; c < channels; c++) {
            int plane = c * height * width;
            for (int y = 0; y < outHeight; y++) {
                int top = plane + ys.index[y] * width;
                int bottom = top + ys.step[y] * width;
                for (int x = 0; x < outWidth; x++) {
                    int left = xs.index[x];
                    int right = left + xs.step[x];
                    float upper = chw[top + left] * xs.w0[x] + chw[top + right] * xs.w1[x];
                    float lower = chw[bottom + left] * xs.w0[x] + chw[bottom + right] * xs.w1[x];
                    out[o++] = upper * ys.w0[y] + lower * ys.w1[y];
                }
            }
        }
        return out;
    }

    /** For each output index along one axis: the first input index, the step to the second (0 at the edge), weights. */
    private record Taps(int[] index, int[] step, float[] w0, float[] w1) {}

    private static Taps taps(int in, int out) {
        float scale = (float) in / out;
        int[] index = new int[out];
        int[] step = new int[out];
        float[] w0 = new float[out];
        float[] w1 = new float[out];
        for (int i = 0; i < out; i++) {
            float source = Math.max(scale * (i + 0.5f) - 0.5f, 0f);
            int i0 = (int) Math.floor(source);
            float lambda = Math.min(Math.max(source - i0, 0f), 1f);
            index[i] = i0;
            step[i] = i0 < in - 1 ? 1 : 0;
            w0[i] = 1f - lambda;
            w1[i] = lambda;
        }
        return new Taps(index, step, w0, w1);
    }
}
