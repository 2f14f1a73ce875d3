package io.resnet4j.image;


/**
 * torchvision's evaluation transform on PIL images, in Java: {@code Resize(resize)} (shorter side,
 * bilinear with antialiasing, as PIL computes it), {@code CenterCrop(crop)}, {@code ToTensor()} and
 * {@code Normalize(mean, std)}; or the paper's per-pixel-mean transform for CIFAR checkpoints.
 *
 * @param resize shorter side after resizing; 0 keeps the image's size
 * @param crop side of the centre crop; 0 for none (the image must then already be square at the input size)
 * @param preprocessing the normalisation (mean-std or per-pixel-mean)
 */
public record ImageTransform(int resize, int crop, Preprocessing preprocessing) {

    /** The checkpoint's transform, with {@code --resize}/{@code --crop} overrides where given (null = keep). */
    public static ImageTransform of(Preprocessing p, Integer resizeOverride, Integer cropOverride) {
        int resize = resizeOverride != null ? resizeOverride : p.resize();
        int crop = cropOverride != null ? cropOverride : p.crop() > 0 ? p.crop() : p.inputSize();
        int max = Preprocessing.MAX_SIDE;
        if (resize < 0 || crop < 1 || resize > max || crop > max) {
            throw new IllegalArgumentException("resize must be 0 (no resize) to " + max + " and crop 1 to " + max
                    + ", got " + resize + " and " + crop);
        }
        boolean perPixel = Preprocessing.PER_PIXEL_MEAN.equals(p.kind());
        if (perPixel && (p.meanImage() == null || p.meanImage().length != 3 * crop * crop)) {
            // Checked once here rather than failing on every image.
            throw new IllegalArgumentException("the checkpoint's mean image has " + (p.meanImage() == null ? 0
                    : p.meanImage().length) + " values but the input would be 3x" + crop + "x" + crop + "; crop to "
                    + p.inputSize());
        }
        return new ImageTransform(resize, crop, p);
    }

    /** The network input for one image: CHW floats of side {@link #crop}. */
    public float[] apply(RgbImage image) {
        return normalise(resize > 0 ? resizedCenterCrop(image, resize, crop) : centerCrop(image, crop));
    }

    /**
     * {@code centerCrop(Resampler.resizeShorter(image, resize), size)}, pixel for pixel, resampling only
     * the window when the resized image covers it.
     */
    public static RgbImage resizedCenterCrop(RgbImage image, int resize, int size) {
        int[] wh = Resampler.shorterSideSize(image.width(), image.height(), resize);
        if (wh[0] < size || wh[1] < size) {
            return centerCrop(Resampler.resize(image, wh[0], wh[1]), size);
        }
        int left = (int) Math.rint((wh[0] - size) / 2.0);
        int top = (int) Math.rint((wh[1] - size) / 2.0);
        return Resampler.resizeRegion(image, wh[0], wh[1], left, top, size, size);
    }

    /** torchvision's CenterCrop: zero padding where the image is smaller, offsets rounded half to even as Python's round(). */
    public static RgbImage centerCrop(RgbImage img, int size) {
        if (img.width() == size && img.height() == size) {
            return img;
        }
        int padLeft = img.width() < size ? (size - img.width()) / 2 : 0;
        int padTop = img.height() < size ? (size - img.height()) / 2 : 0;
        int left = img.width() < size ? -padLeft : (int) Math.rint((img.width() - size) / 2.0);
        int top = img.height() < size ? -padTop : (int) Math.rint((img.height() - size) / 2.0);
        byte[] out = new byte[size * size * 3];
        for (int y = 0; y < size; y++) {
            int sy = y + top;
            if (sy < 0 || sy >= img.height()) {
                continue;
            }
            for (int x = 0; x < size; x++) {
                int sx = x + left;
                if (sx >= 0 && sx < img.width()) {
                    System.arraycopy(img.rgb(), (sy * img.width() + sx) * 3, out, (y * size + x) * 3, 3);
                }
            }
        }
        return new RgbImage(size, size, out);
    }

    /** ToTensor (x / 255 in float32) then Normalize, or the per-pixel mean transform, to CHW. */
    public float[] normalise(RgbImage img) {
        return preprocessing.normalise(img);
    }
}
