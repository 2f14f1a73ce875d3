package io.resnet4j.detection.ops;

import java.util.List;

/**
 * The reference boxes of a region proposal network, as torchvision's {@code AnchorGenerator}: at
 * every location of a feature map, one box per (aspect ratio, size) of its level, centred on the
 * location's top-left pixel of the padded image, with corners rounded to integers (half to even).
 * Anchors are ordered by location (row-major), then aspect ratio, then size: the order in which an
 * RPN head's outputs are flattened.
 *
 * @param sizes per level, the anchor sizes (square roots of the areas) in input pixels
 * @param aspectRatios height / width ratios, the same at every level
 */
public record AnchorGenerator(List<List<Integer>> sizes, List<Float> aspectRatios) {

    public AnchorGenerator {
        sizes = sizes.stream().map(List::copyOf).toList();
        aspectRatios = List.copyOf(aspectRatios);
        if (sizes.isEmpty() || aspectRatios.isEmpty() || sizes.stream().anyMatch(List::isEmpty)) {
            throw new IllegalArgumentException("anchors need at least one level, size and aspect ratio, got sizes "
                    + sizes + " and ratios " + aspectRatios);
        }
    }

    /** torchvision's FPN anchors: sizes 32 to 512, one per level, ratios 0.5, 1, 2. */
    public static AnchorGenerator fpn() {
        return new AnchorGenerator(List.of(List.of(32), List.of(64), List.of(128), List.of(256), List.of(512)),
                List.of(0.5f, 1f, 2f));
    }

    public int levels() {
        return sizes.size();
    }

    /** Anchors per location at a level: the RPN head's outputs per location. */
    public int perLocation(int level) {
        return sizes.get(level).size() * aspectRatios.size();
    }

    /** The anchors of one location at the origin, (x1, y1, x2, y2) per anchor, in float as torchvision. */
    public float[] cellAnchors(int level) {
        List<Integer> s = sizes.get(level);
        float[] out = new float[perLocation(level) * 4];
        int k = 0;
        for (float ratio : aspectRatios) {
            float hRatio = (float) Math.sqrt(ratio);
            float wRatio = 1f / hRatio;
            for (int size : s) {
                float w = wRatio * size;
                float h = hRatio * size;
                out[k++] = (float) Math.rint(-w / 2);
                out[k++] = (float) Math.rint(-h / 2);
                out[k++] = (float) Math.rint(w / 2);
                out[k++] = (float) Math.rint(h / 2);
            }
        }
        return out;
    }

    /**
     * The anchors of a level whose feature map is {@code gridHeight x gridWidth} on a padded input
     * of {@code imageHeight x imageWidth}: the stride is the integer ratio of the two, as torchvision's.
     */
    public float[] anchors(int level, int gridHeight, int gridWidth, int imageHeight, int imageWidth) {
        int[] all = new int[gridHeight * gridWidth * perLocation(level)];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        return select(level, all, gridHeight, gridWidth, imageHeight, imageWidth);
    }

    /** The anchors with the given indices (in the order of {@link #anchors}) of a level. */
    public float[] select(int level, int[] indices, int gridHeight, int gridWidth, int imageHeight, int imageWidth) {
        int strideY = imageHeight / gridHeight;
        int strideX = imageWidth / gridWidth;
        float[] cell = cellAnchors(level);
        int a = cell.length / 4;
        float[] out = new float[indices.length * 4];
        for (int i = 0; i < indices.length; i++) {
            int location = indices[i] / a;
            int k = indices[i] % a;
            int x = (location % gridWidth) * strideX;
            int y = (location / gridWidth) * strideY;
            if (location >= gridHeight * gridWidth) {
                throw new IllegalArgumentException("anchor " + indices[i] + " is outside a " + gridHeight + "x"
                        + gridWidth + " grid of " + a + " anchors");
            }
            out[4 * i] = x + cell[4 * k];
            out[4 * i + 1] = y + cell[4 * k + 1];
            out[4 * i + 2] = x + cell[4 * k + 2];
            out[4 * i + 3] = y + cell[4 * k + 3];
        }
        return out;
    }
}
