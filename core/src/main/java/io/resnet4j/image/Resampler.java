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
        int[] wh = shorterSideSize(img.width(), img.height(), size);
        return resize(img, wh[0], wh[1]);
    }

    /** The {width, height} that {@link #resizeShorter} gives a {@code width x height} image. */
    public static int[] shorterSideSize(int width, int height, int size) {
        int shortSide = Math.min(width, height);
        int longSide = Math.max(width, height);
        int newLong = (int) ((long) size * longSide / shortSide);
        return width <= height ? new int[] {size, newLong} : new int[] {newLong, size};
    }

    public static RgbImage resize(RgbImage img, int width, int height) {
        return resizeRegion(img, width, height, 0, 0, width, height);
    }

    /**
     * The {@code cropWidth x cropHeight} window at ({@code x}, {@code y}) of {@code resize(img, width,
     * height)}, pixel for pixel, computing only what the window needs: a 224 crop of a photo resized
     * to 300x400 costs the 224 columns and the rows under them, not the whole resized image.
     */
    public static RgbImage resizeRegion(RgbImage img, int width, int height, int x, int y, int cropWidth,
            int cropHeight) {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("cannot resize to " + width + "x" + height);
        }
        if (x < 0 || y < 0 || cropWidth < 1 || cropHeight < 1 || x + cropWidth > width || y + cropHeight > height) {
            throw new IllegalArgumentException("window " + cropWidth + "x" + cropHeight + " at (" + x + ", " + y
                    + ") leaves the " + width + "x" + height + " image");
        }
        Taps vt = height != img.height() ? taps(img.height(), height).window(y, cropHeight) : null;
        int rowFrom = vt != null ? vt.first() : y;
        int rowTo = vt != null ? vt.last() : y + cropHeight;
        RgbImage rows = width != img.width() ? horizontal(img, taps(img.width(), width).window(x, cropWidth), rowFrom,
                rowTo) : columns(img, x, cropWidth, rowFrom, rowTo);
        return vt != null ? vertical(rows, vt, rowFrom) : rows;
    }

    /** Rows {@code [from, to)} and columns {@code [x, x + width)} of an image, copied. */
    private static RgbImage columns(RgbImage img, int x, int width, int from, int to) {
        if (x == 0 && width == img.width() && from == 0 && to == img.height()) {
            return img;
        }
        byte[] out = new byte[width * (to - from) * 3];
        for (int row = from; row < to; row++) {
            System.arraycopy(img.rgb(), (row * img.width() + x) * 3, out, (row - from) * width * 3, width * 3);
        }
        return new RgbImage(width, to - from, out);
    }

    /** Fixed-point filter taps for one axis: for each output index, the first input index and the weights. */
    private record Taps(int[] start, int[][] weights) {
        /** The taps of outputs {@code [from, from + count)}. */
        Taps window(int from, int count) {
            return new Taps(java.util.Arrays.copyOfRange(start, from, from + count),
                    java.util.Arrays.copyOfRange(weights, from, from + count));
        }

        /** The first input index any output reads. */
        int first() {
            int m = Integer.MAX_VALUE;
            for (int s : start) {
                m = Math.min(m, s);
            }
            return m;
        }

        /** One past the last input index any output reads. */
        int last() {
            int m = 0;
            for (int i = 0; i < start.length; i++) {
                m = Math.max(m, start[i] + weights[i].length);
            }
            return m;
        }
    }

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

    /** The horizontal pass over rows {@code [from, to)}: each output pixel's three channels in one pass over its taps. */
    private static RgbImage horizontal(RgbImage img, Taps t, int from, int to) {
        int outW = t.start().length;
        int inW = img.width();
        byte[] src = img.rgb();
        byte[] out = new byte[outW * (to - from) * 3];
        int half = 1 << (PRECISION_BITS - 1);
        for (int y = from; y < to; y++) {
            int rowBase = y * inW * 3;
            int o = (y - from) * outW * 3;
            for (int xx = 0; xx < outW; xx++) {
                int[] k = t.weights()[xx];
                int p = rowBase + t.start()[xx] * 3;
                int r = half;
                int g = half;
                int b = half;
                for (int i = 0; i < k.length; i++, p += 3) {
                    r += (src[p] & 0xff) * k[i];
                    g += (src[p + 1] & 0xff) * k[i];
                    b += (src[p + 2] & 0xff) * k[i];
                }
                out[o++] = clip8(r);
                out[o++] = clip8(g);
                out[o++] = clip8(b);
            }
        }
        return new RgbImage(outW, to - from, out);
    }

    /**
     * The vertical pass: whole rows accumulate tap by tap (a loop over contiguous memory the JIT
     * vectorises). {@code rows} holds input rows from {@code firstRow} on.
     */
    private static RgbImage vertical(RgbImage rows, Taps t, int firstRow) {
        int rowLength = rows.width() * 3;
        int outH = t.start().length;
        byte[] src = rows.rgb();
        byte[] out = new byte[rowLength * outH];
        int[] acc = new int[rowLength];
        for (int yy = 0; yy < outH; yy++) {
            java.util.Arrays.fill(acc, 1 << (PRECISION_BITS - 1));
            int[] k = t.weights()[yy];
            int base = (t.start()[yy] - firstRow) * rowLength;
            for (int i = 0; i < k.length; i++, base += rowLength) {
                int w = k[i];
                for (int j = 0; j < rowLength; j++) {
                    acc[j] += (src[base + j] & 0xff) * w;
                }
            }
            int o = yy * rowLength;
            for (int j = 0; j < rowLength; j++) {
                out[o + j] = clip8(acc[j]);
            }
        }
        return new RgbImage(rows.width(), outH, out);
    }
}
