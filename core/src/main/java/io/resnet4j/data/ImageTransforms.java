package io.resnet4j.data;

import io.resnet4j.image.ImageTransform;
import io.resnet4j.image.Resampler;
import io.resnet4j.image.RgbImage;
import io.resnet4j.image.Preprocessing;
import java.util.SplittableRandom;

/**
 * The paper's ImageNet augmentation (section 3.4, after Krizhevsky et al. 2012 and fb.resnet.torch)
 * as small transforms, each testable alone. A training image goes
 * {@link #randomResizeShorter} -> {@link #randomCrop} -> {@link #toChw} (with a random flip) ->
 * {@link #lighting} -> {@link #normalise}; an evaluation image {@code resizeShorter(resize)} ->
 * {@link #centerCrop} -> {@link #toChw} -> {@link #normalise}.
 *
 * <p>Sizes scale with the network input N: the paper's numbers are for N = 224, so the resize
 * range is [256, 480] * N / 224 and the evaluation resize round(256 * N / 224).
 */
public final class ImageTransforms {

    /** ImageNet's RGB eigenvalues of the pixel covariance (AlexNet; fb.resnet.torch), for [0,1] pixels. */
    public static final float[] PCA_EIGENVALUES = {0.2175f, 0.0188f, 0.0045f};
    /** The matching eigenvectors, one per column (row i is channel i: red, green, blue). */
    public static final float[][] PCA_EIGENVECTORS = {
        {-0.5675f, 0.7192f, 0.4009f},
        {-0.5808f, -0.0045f, -0.8140f},
        {-0.5836f, -0.6948f, 0.4203f},
    };
    /** Standard deviation of the PCA coefficients (fb.resnet.torch's 0.1). */
    public static final float LIGHTING_STD = 0.1f;

    private ImageTransforms() {}

    /** A paper size (given for a 224 input) scaled to input N: round(size * N / 224). */
    public static int scaled(int paperSize, int inputSize) {
        return (int) Math.round(paperSize * inputSize / 224.0);
    }

    /** Scale augmentation: the shorter side becomes an integer drawn uniformly from [min, max]. */
    public static RgbImage randomResizeShorter(RgbImage img, int min, int max, SplittableRandom r) {
        if (min < 1 || max < min) {
            throw new IllegalArgumentException("resize range must satisfy 1 <= min <= max, got [" + min + ", " + max + "]");
        }
        return Resampler.resizeShorter(img, min + r.nextInt(max - min + 1));
    }

    /**
     * Scale augmentation and a random crop in one: the same draws and the same pixels as
     * {@link #randomResizeShorter} followed by {@link #randomCrop}, resampling only the window.
     */
    public static RgbImage randomResizedCrop(RgbImage img, int min, int max, int size, SplittableRandom r) {
        if (min < 1 || max < min) {
            throw new IllegalArgumentException("resize range must satisfy 1 <= min <= max, got [" + min + ", " + max + "]");
        }
        int[] wh = Resampler.shorterSideSize(img.width(), img.height(), min + r.nextInt(max - min + 1));
        if (wh[0] < size || wh[1] < size) {
            return ImageTransform.centerCrop(Resampler.resize(img, wh[0], wh[1]), size);
        }
        int x = r.nextInt(wh[0] - size + 1);
        int y = r.nextInt(wh[1] - size + 1);
        return Resampler.resizeRegion(img, wh[0], wh[1], x, y, size, size);
    }

    /** A size x size window at a uniformly random position (zero-padded where the image is smaller). */
    public static RgbImage randomCrop(RgbImage img, int size, SplittableRandom r) {
        if (img.width() < size || img.height() < size) {
            return ImageTransform.centerCrop(img, size);
        }
        int x = r.nextInt(img.width() - size + 1);
        int y = r.nextInt(img.height() - size + 1);
        return crop(img, x, y, size);
    }

    /** The size x size window whose top-left corner is (x, y); it must lie inside the image. */
    public static RgbImage crop(RgbImage img, int x, int y, int size) {
        if (x < 0 || y < 0 || x + size > img.width() || y + size > img.height()) {
            throw new IllegalArgumentException("crop " + size + "x" + size + " at (" + x + ", " + y + ") leaves the "
                    + img.width() + "x" + img.height() + " image");
        }
        if (x == 0 && y == 0 && size == img.width() && size == img.height()) {
            return img;
        }
        byte[] out = new byte[size * size * 3];
        for (int row = 0; row < size; row++) {
            System.arraycopy(img.rgb(), ((y + row) * img.width() + x) * 3, out, row * size * 3, size * 3);
        }
        return new RgbImage(size, size, out);
    }

    /** torchvision's CenterCrop (offsets rounded as Python's round(), zero padding where smaller). */
    public static RgbImage centerCrop(RgbImage img, int size) {
        return ImageTransform.centerCrop(img, size);
    }

    /** Mirror image (left-right). */
    public static RgbImage horizontalFlip(RgbImage img) {
        int w = img.width();
        byte[] in = img.rgb();
        byte[] out = new byte[in.length];
        for (int y = 0; y < img.height(); y++) {
            for (int x = 0; x < w; x++) {
                System.arraycopy(in, (y * w + x) * 3, out, (y * w + (w - 1 - x)) * 3, 3);
            }
        }
        return new RgbImage(w, img.height(), out);
    }

    /** ToTensor: CHW floats in [0, 1], mirrored when {@code flip} (fused so a flip costs nothing). */
    public static void toChw(RgbImage img, boolean flip, float[] out, int offset) {
        int w = img.width();
        int h = img.height();
        int plane = w * h;
        byte[] rgb = img.rgb();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int src = (y * w + (flip ? w - 1 - x : x)) * 3;
                int dst = offset + y * w + x;
                out[dst] = (rgb[src] & 0xff) / 255f;
                out[dst + plane] = (rgb[src + 1] & 0xff) / 255f;
                out[dst + 2 * plane] = (rgb[src + 2] & 0xff) / 255f;
            }
        }
    }

    /**
     * AlexNet's PCA colour augmentation as fb.resnet.torch applies it: draws alpha ~ N(0, std^2) per
     * principal component and adds {@code sum_j eigvec[c][j] * alpha[j] * eigval[j]} to every pixel
     * of channel c (pixels in [0, 1], before normalisation). Returns the per-channel offsets added.
     */
    public static float[] lighting(float[] chw, int offset, int plane, float std, SplittableRandom r) {
        float[] alpha = new float[3];
        for (int j = 0; j < 3; j++) {
            alpha[j] = (float) (r.nextGaussian() * std);
        }
        float[] add = lightingOffsets(alpha);
        for (int c = 0; c < 3; c++) {
            int base = offset + c * plane;
            for (int i = 0; i < plane; i++) {
                chw[base + i] += add[c];
            }
        }
        return add;
    }

    /** The per-channel offsets for given PCA coefficients: eigvec * (alpha .* eigval). */
    public static float[] lightingOffsets(float[] alpha) {
        float[] add = new float[3];
        for (int c = 0; c < 3; c++) {
            for (int j = 0; j < 3; j++) {
                add[c] += PCA_EIGENVECTORS[c][j] * alpha[j] * PCA_EIGENVALUES[j];
            }
        }
        return add;
    }

    /**
     * {@code (x - mean) / std} in place: per-channel mean and std (mean-std), or the per-pixel mean
     * image of the training set and a per-channel std (per-pixel-mean), as the checkpoint records it.
     */
    public static void normalise(float[] chw, int offset, int side, Preprocessing p) {
        int plane = side * side;
        boolean perPixel = Preprocessing.PER_PIXEL_MEAN.equals(p.kind());
        if (perPixel && (p.meanImage() == null || p.meanImage().length != 3 * plane)) {
            throw new IllegalArgumentException("the per-pixel mean image has " + (p.meanImage() == null ? 0
                    : p.meanImage().length) + " values but the input is 3x" + side + "x" + side
                    + "; compute the mean at the training input size");
        }
        for (int c = 0; c < 3; c++) {
            float inv = 1f / p.channelStd()[c];
            for (int i = 0; i < plane; i++) {
                int o = c * plane + i;
                float mean = perPixel ? p.meanImage()[o] : p.channelMean()[c];
                chw[offset + o] = (chw[offset + o] - mean) * inv;
            }
        }
    }

    /** A stream of randomness for image {@code position} of epoch {@code epoch}: a pure function of the three. */
    public static SplittableRandom random(long seed, int epoch, int position) {
        long k = Augmentation.mix64(seed * 0x9E3779B97F4A7C15L + epoch);
        return new SplittableRandom(Augmentation.mix64(k ^ (position * 0xC2B2AE3D27D4EB4FL + 0x165667B19E3779F9L)));
    }
}
