package io.resnet4j.data;

/**
 * The paper's CIFAR-10 augmentation: "4 pixels are padded on each side, and a 32x32 crop is randomly
 * sampled from the padded image or its horizontal flip" (He et al., section 4.2); evaluation uses
 * "the single view of the original 32x32 image".
 *
 * <p>Why it is done this way:
 * <ul>
 *   <li><b>Padding value.</b> The paper does not say. We match the PyTorch yardstick
 *       (pytorch_train_reference.py): it pads the <em>raw</em> pixels with 0
 *       (black), crops, flips, and only then subtracts the mean image. So a padded position holds raw
 *       0 and normalises to {@code (0 - mean[c,y,x]) / std[c]}, not to 0. (Padding with 0 after
 *       normalisation would pad with the mean colour instead; the difference is small but would make
 *       comparisons with the reference inexact.)
 *   <li><b>Crop and flip.</b> Offsets {@code dx} (columns) and {@code dy} (rows) are uniform in 0..8
 *       within the 40x40 padded image, so (4, 4) is the original image; the flip (p = 0.5) mirrors the
 *       crop left-right. Cropping a flipped padded image at dx equals flipping the crop at 8-dx, so
 *       flipping after cropping, as the reference does, samples the same distribution.
 *   <li><b>Fused and table-driven.</b> Pad, crop, flip and normalisation happen in one pass from bytes to
 *       floats, with no padded intermediate image and no division in the inner loop.
 *   <li><b>Stateless randomness.</b> {@link #draw(long, int, long)} hashes (seed, epoch, position), so
 *       the augmentation of an image never depends on which thread prepared it or in which order.
 * </ul>
 */
public final class Augmentation {
    /** Zero pixels padded on each side. */
    public static final int PAD = 4;
    /** Largest crop offset: offsets are 0..{@value} in each direction. */
    public static final int MAX_OFFSET = 2 * PAD;
    /** The code of the un-augmented view: offset (4, 4), no flip. */
    public static final int IDENTITY = encode(PAD, PAD, false);

    private static final int S = CifarData.SIDE;

    private Augmentation() {
    }

    /**
     * Packs one augmentation into an int (no object per image).
     *
     * @param dx column offset in the padded image, 0..8
     * @param dy row offset in the padded image, 0..8
     * @param flip whether to mirror left-right
     * @return the packed code
     */
    public static int encode(int dx, int dy, boolean flip) {
        if (dx < 0 || dx > MAX_OFFSET || dy < 0 || dy > MAX_OFFSET) {
            throw new IllegalArgumentException("crop offsets must be 0.." + MAX_OFFSET + ": dx=" + dx + ", dy=" + dy);
        }
        return dx | dy << 4 | (flip ? 1 << 8 : 0);
    }

    /**
     * @param code a packed augmentation
     * @return its column offset 0..8
     */
    public static int dx(int code) {
        return code & 0xF;
    }

    /**
     * @param code a packed augmentation
     * @return its row offset 0..8
     */
    public static int dy(int code) {
        return code >> 4 & 0xF;
    }

    /**
     * @param code a packed augmentation
     * @return whether it mirrors left-right
     */
    public static boolean flip(int code) {
        return (code & 1 << 8) != 0;
    }

    /**
     * Draws the augmentation of the image at a position of an epoch.
     *
     * @param seed the run's seed
     * @param epoch the epoch, from 0
     * @param position the position within the epoch's (shuffled) order, from 0
     * @return the packed augmentation: offsets uniform in 0..8, flip with probability 1/2
     */
    public static int draw(long seed, int epoch, long position) {
        long z = mix64(mix64(seed ^ 0x5DEECE66DL) + ((long) epoch << 40) + position);
        int dx = (int) ((z >>> 40) % (MAX_OFFSET + 1)); // 24 random bits mod 9: bias below 1e-7
        int dy = (int) (((z >>> 16) & 0xFFFFFF) % (MAX_OFFSET + 1));
        return encode(dx, dy, (z & 1) != 0);
    }

    /** The SplitMix64 finaliser: a bijective, well-mixing hash of 64 bits. */
    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * Pads, crops, flips and normalises one image.
     *
     * @param src raw CHW bytes
     * @param srcOffset offset of the image in {@code src}
     * @param code packed augmentation from {@link #encode} or {@link #draw}
     * @param norm normalisation applied after the geometric transform
     * @param dst output floats, CHW
     * @param dstOffset offset of the image in {@code dst}
     */
    public static void apply(byte[] src, int srcOffset, int code, Normalization norm, float[] dst, int dstOffset) {
        if (code == IDENTITY) {
            norm.apply(src, srcOffset, dst, dstOffset);
            return;
        }
        final int dx = dx(code);
        final int dy = dy(code);
        final boolean flip = flip(code);
        final float[] lut = norm.lut();
        final float[] ms = norm.meanScaled();
        // Output columns [lo, hi) read a real source pixel; the rest read the zero padding.
        final int lo;
        final int hi;
        if (flip) {
            lo = Math.max(0, dx - PAD); // source column 27 + dx - x must be <= 31
            hi = Math.min(S, dx + S - PAD); // ... and >= 0
        } else {
            lo = Math.max(0, PAD - dx); // source column x + dx - 4 must be >= 0
            hi = Math.min(S, S + PAD - dx); // ... and <= 31
        }
        for (int c = 0; c < CifarData.CHANNELS; c++) {
            final int lb = c * 256;
            for (int y = 0; y < S; y++) {
                final int k0 = c * CifarData.PLANE + y * S;
                final int o = dstOffset + k0;
                final int sy = y + dy - PAD;
                if (sy < 0 || sy >= S) {
                    for (int x = 0; x < S; x++) {
                        dst[o + x] = -ms[k0 + x]; // raw 0 normalises to -mean/std
                    }
                    continue;
                }
                final int row = srcOffset + c * CifarData.PLANE + sy * S;
                for (int x = 0; x < lo; x++) {
                    dst[o + x] = -ms[k0 + x];
                }
                if (flip) {
                    final int base = row + S - 1 - PAD + dx; // source column = 27 + dx - x
                    for (int x = lo; x < hi; x++) {
                        dst[o + x] = lut[lb + (src[base - x] & 0xFF)] - ms[k0 + x];
                    }
                } else {
                    final int base = row + dx - PAD; // source column = x + dx - 4
                    for (int x = lo; x < hi; x++) {
                        dst[o + x] = lut[lb + (src[base + x] & 0xFF)] - ms[k0 + x];
                    }
                }
                for (int x = hi; x < S; x++) {
                    dst[o + x] = -ms[k0 + x];
                }
            }
        }
    }

    /**
     * Convenience form of {@link #apply(byte[], int, int, Normalization, float[], int)}.
     *
     * @param src raw CHW bytes
     * @param srcOffset offset of the image in {@code src}
     * @param dx column offset 0..8 (4 = centred)
     * @param dy row offset 0..8 (4 = centred)
     * @param flip mirror left-right after cropping
     * @param norm normalisation
     * @param dst output floats, CHW
     * @param dstOffset offset of the image in {@code dst}
     */
    public static void apply(byte[] src, int srcOffset, int dx, int dy, boolean flip, Normalization norm,
            float[] dst, int dstOffset) {
        apply(src, srcOffset, encode(dx, dy, flip), norm, dst, dstOffset);
    }
}
