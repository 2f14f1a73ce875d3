package io.resnet4j.image;

/**
 * PIL's {@code Image.resize(size, BILINEAR)} for 8-bit RGB (Pillow's {@code ImagingResample}),
 * which is what torchvision's {@code Resize} runs on PIL images: a separable triangle filter whose
 * support widens with the downscaling factor (antialiasing), horizontal pass first, each pass in
 * Pillow's 22-bit fixed point with rounding and clipping to 0-255 in between. A dimension that
 * keeps its size is not resampled at all, so resizing to the current size returns the pixels unchanged.
 */
public final class Resampler {

    private static final int PRECISION_BITS = 32 - 8 - 2;

    private Resampler() {}

    /** torchvision's Resize(int): the shorter side becomes {@code size}, the longer int(size * long / short). */
    public static RgbImage resizeShorter(RgbImage img, int size) {
        int w = img.width();
        int h = img.height();
        int shortSide = Math.min(w, h);
        int longSide = Math.max(w, h);
        int newLong = (int) ((long) size * longSide / shortSide);
        return w <= h ? resize(img, size, newLong) : resize(img, newLong, size);
    }

    public static RgbImage resize(RgbImage img, int width, int height) {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("cannot resize to " + width + "x" + height);
        }
        RgbImage out = img;
        if (width != img.width()) {
            out = horizontal(out, width);
        }
        if (height != img.height()) {
            out = vertical(out, height);
        }
        return out;
    }

    /** Fixed-point filter taps for one axis: for each output index, the first input index and the weights. */
    private record Taps(int[] start, int[][] weights) {}

    private static Taps taps(int inSize, int outSize) {
        double scale = (double) inSize / outSize;
        double filterScale = Math.max(scale, 1.0);
        double support = 1.0 * filterScale; // bilinear (triangle) filter support is 1
        int[] start = new int[outSize];
        int[][] weights = new int[outSize][];
        for (int xx = 0; xx < outSize; xx++) {
            double center = (xx + 0.5) * scale;
            double ss = 1.0 / filterScale;
            // C truncation towards zero, as Pillow's (int) casts.
            int xmin = Math.max((int) (center - support + 0.5), 0);
            int xmax = Math.min((int) (center + support + 0.5), inSize) - xmin;
            double[] k = new double[Math.max(xmax, 0)];
            double ww = 0;
            for (int x = 0; x < k.length; x++) {
                double t = Math.abs((x + xmin - center + 0.5) * ss);
                double w = t < 1.0 ? 1.0 - t : 0.0;
                k[x] = w;
                ww += w;
            }
            int[] fixed = new int[k.length];
            for (int x = 0; x < k.length; x++) {
                double v = ww != 0.0 ? k[x] / ww : k[x];
                fixed[x] = (int) (v < 0 ? -0.5 + v * (1 << PRECISION_BITS) : 0.5 + v * (1 << PRECISION_BITS));
            }
            start[xx] = xmin;
            weights[xx] = fixed;
        }
        return new Taps(start, weights);
    }

    private static byte clip8(int acc) {
        int v = acc >> PRECISION_BITS;
        return (byte) (v < 0 ? 0 : Math.min(v, 255));
    }

    private static RgbImage horizontal(RgbImage img, int outW) {
        Taps t = taps(img.width(), outW);
        int h = img.height();
        int inW = img.width();
        byte[] src = img.rgb();
        byte[] out = new byte[outW * h * 3];
        for (int y = 0; y < h; y++) {
            for (int xx = 0; xx < outW; xx++) {
                int[] k = t.weights()[xx];
                int x0 = t.start()[xx];
                for (int c = 0; c < 3; c++) {
                    int acc = 1 << (PRECISION_BITS - 1);
                    for (int x = 0; x < k.length; x++) {
                        acc += (src[(y * inW + x0 + x) * 3 + c] & 0xff) * k[x];
                    }
                    out[(y * outW + xx) * 3 + c] = clip8(acc);
                }
            }
        }
        return new RgbImage(outW, h, out);
    }

    private static RgbImage vertical(RgbImage img, int outH) {
        Taps t = taps(img.height(), outH);
        int w = img.width();
        byte[] src = img.rgb();
        byte[] out = new byte[w * outH * 3];
        for (int yy = 0; yy < outH; yy++) {
            int[] k = t.weights()[yy];
            int y0 = t.start()[yy];
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < 3; c++) {
                    int acc = 1 << (PRECISION_BITS - 1);
                    for (int y = 0; y < k.length; y++) {
                        acc += (src[((y0 + y) * w + x) * 3 + c] & 0xff) * k[y];
                    }
                    out[(yy * w + x) * 3 + c] = clip8(acc);
                }
            }
        }
        return new RgbImage(w, outH, out);
    }
}
