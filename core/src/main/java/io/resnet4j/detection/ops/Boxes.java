package io.resnet4j.detection.ops;

/**
 * torchvision's {@code box_ops} on boxes stored as {@code float[]} rows of (x1, y1, x2, y2), with
 * areas in continuous coordinates (no "+1").
 */
public final class Boxes {

    private Boxes() {}

    /** Number of boxes in a row array. */
    public static int count(float[] boxes) {
        if (boxes.length % 4 != 0) {
            throw new IllegalArgumentException("box arrays hold 4 values per box, got " + boxes.length);
        }
        return boxes.length / 4;
    }

    /** Clamps every box into an image of {@code height x width} (in place) and returns it. */
    public static float[] clip(float[] boxes, int height, int width) {
        for (int o = 0; o < boxes.length; o += 4) {
            boxes[o] = clamp(boxes[o], width);
            boxes[o + 1] = clamp(boxes[o + 1], height);
            boxes[o + 2] = clamp(boxes[o + 2], width);
            boxes[o + 3] = clamp(boxes[o + 3], height);
        }
        return boxes;
    }

    private static float clamp(float v, int max) {
        return Math.min(Math.max(v, 0f), max);
    }

    /** Indices of the boxes whose width and height are both at least {@code minSize}. */
    public static int[] largerThan(float[] boxes, float minSize) {
        int n = count(boxes);
        int[] keep = new int[n];
        int k = 0;
        for (int i = 0; i < n; i++) {
            if (boxes[4 * i + 2] - boxes[4 * i] >= minSize && boxes[4 * i + 3] - boxes[4 * i + 1] >= minSize) {
                keep[k++] = i;
            }
        }
        return java.util.Arrays.copyOf(keep, k);
    }

    public static float area(float[] boxes, int i) {
        return (boxes[4 * i + 2] - boxes[4 * i]) * (boxes[4 * i + 3] - boxes[4 * i + 1]);
    }

    /** Intersection over union of box i of {@code a} and box j of {@code b}, as torchvision's box_iou. */
    public static float iou(float[] a, int i, float[] b, int j) {
        float w = Math.max(0f, Math.min(a[4 * i + 2], b[4 * j + 2]) - Math.max(a[4 * i], b[4 * j]));
        float h = Math.max(0f, Math.min(a[4 * i + 3], b[4 * j + 3]) - Math.max(a[4 * i + 1], b[4 * j + 1]));
        float inter = w * h;
        return inter / (area(a, i) + area(b, j) - inter);
    }

    /** The rows {@code indices} of a box array. */
    public static float[] rows(float[] boxes, int[] indices) {
        float[] out = new float[indices.length * 4];
        for (int k = 0; k < indices.length; k++) {
            System.arraycopy(boxes, 4 * indices[k], out, 4 * k, 4);
        }
        return out;
    }

    /** The entries {@code indices} of a per-box array. */
    public static float[] select(float[] values, int[] indices) {
        float[] out = new float[indices.length];
        for (int k = 0; k < indices.length; k++) {
            out[k] = values[indices[k]];
        }
        return out;
    }

    /** The entries {@code indices} of a per-box array. */
    public static int[] select(int[] values, int[] indices) {
        int[] out = new int[indices.length];
        for (int k = 0; k < indices.length; k++) {
            out[k] = values[indices[k]];
        }
        return out;
    }

    /**
     * Scales boxes from one image size to another, as torchvision's {@code resize_boxes} (ratios in
     * float: new size over old), in place.
     */
    public static float[] rescale(float[] boxes, int fromHeight, int fromWidth, int toHeight, int toWidth) {
        float ry = (float) toHeight / (float) fromHeight;
        float rx = (float) toWidth / (float) fromWidth;
        for (int o = 0; o < boxes.length; o += 4) {
            boxes[o] *= rx;
            boxes[o + 1] *= ry;
            boxes[o + 2] *= rx;
            boxes[o + 3] *= ry;
        }
        return boxes;
    }
}
