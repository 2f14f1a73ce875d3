package io.resnet4j.detection.ops;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * torchvision's {@code MultiScaleRoIAlign}: each box is pooled from the pyramid level that suits its
 * size, by the FPN paper's equation (1), {@code k = floor(k0 + log2(sqrt(area) / 224) + 1e-6)}
 * clamped to the levels present, with k0 = 4 (a 224-pixel box maps to the stride-16 level). The
 * levels' strides are inferred from their sizes relative to the image, as torchvision does.
 *
 * @param align the pooling of each box
 * @param canonicalScale the box size that maps to {@code canonicalLevel}
 * @param canonicalLevel its level, as a power of two of the stride
 */
public record MultiScaleRoiAlign(RoiAlign align, int canonicalScale, int canonicalLevel) {

    private static final float EPS = 1e-6f;

    /** Faster R-CNN FPN's box pooling: 7x7 bins, two samples per bin side. */
    public static MultiScaleRoiAlign fpn() {
        return new MultiScaleRoiAlign(new RoiAlign(7, 2, false), 224, 4);
    }

    /**
     * @param levels one image's maps (C, H_l, W_l), finest first, each half the size of the one before
     * @param boxes R boxes in input pixels
     * @param imageHeight the height of the image before padding (the strides are inferred from it)
     * @param imageWidth its width
     * @return (R, C, outputSize, outputSize)
     */
    public NDArray apply(List<NDArray> levels, float[] boxes, int imageHeight, int imageWidth) {
        float[] scales = new float[levels.size()];
        for (int l = 0; l < scales.length; l++) {
            scales[l] = inferScale(levels.get(l).getShape().get(1), imageHeight);
        }
        int first = Math.round(-log2(scales[0]));
        int last = Math.round(-log2(scales[scales.length - 1]));
        return align.apply(levels, scales, boxes, levelOf(boxes, first, last));
    }

    /** The power of two nearest to the ratio of a map's side to the image's (torchvision's _infer_scale). */
    static float inferScale(long featureSide, int imageSide) {
        float approx = (float) ((double) featureSide / imageSide);
        return (float) Math.pow(2, Math.rint(log2(approx)));
    }

    /** The level index (0 = finest) each box is pooled from. */
    int[] levelOf(float[] boxes, int first, int last) {
        int n = Boxes.count(boxes);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            float s = (float) Math.sqrt(Boxes.area(boxes, i));
            float k = (float) Math.floor(canonicalLevel + log2(s / canonicalScale) + EPS);
            out[i] = (int) Math.min(Math.max(k, first), last) - first;
        }
        return out;
    }

    private static float log2(float v) {
        return (float) (Math.log(v) / Math.log(2));
    }
}
