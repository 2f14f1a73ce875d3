package io.resnet4j.detection.ops;

/**
 * torchvision's {@code Matcher}: each box (anchor or proposal) is matched to the ground-truth box it
 * overlaps most, if that IoU reaches {@code highThreshold}; below {@code lowThreshold} it is
 * background, in between it is ignored. With {@code allowLowQualityMatches} (the RPN's setting), every
 * box that ties for a ground-truth box's best IoU keeps its match even below the threshold, so each
 * object gets at least one anchor.
 *
 * @param highThreshold IoU from which a box is matched
 * @param lowThreshold IoU below which a box is background
 * @param allowLowQualityMatches whether each ground-truth box's best boxes are matched regardless
 */
public record Matcher(float highThreshold, float lowThreshold, boolean allowLowQualityMatches) {

    /** A box whose best IoU is below the low threshold: background. */
    public static final int BELOW_LOW_THRESHOLD = -1;
    /** A box whose best IoU is between the thresholds: ignored. */
    public static final int BETWEEN_THRESHOLDS = -2;

    public Matcher {
        if (!(lowThreshold <= highThreshold)) {
            throw new IllegalArgumentException("the low threshold " + lowThreshold + " exceeds the high " + highThreshold);
        }
    }

    /**
     * @param iou {@code iou[g][n]}: IoU of ground-truth box g with box n (at least one ground-truth box)
     * @return per box, the matched ground-truth index, {@link #BELOW_LOW_THRESHOLD} or {@link #BETWEEN_THRESHOLDS}
     */
    public int[] match(float[][] iou) {
        int n = iou[0].length;
        int[] best = new int[n];
        int[] matches = new int[n];
        for (int i = 0; i < n; i++) {
            float value = iou[0][i];
            for (int g = 1; g < iou.length; g++) {
                if (iou[g][i] > value) {
                    value = iou[g][i];
                    best[i] = g;
                }
            }
            matches[i] = value < lowThreshold ? BELOW_LOW_THRESHOLD : value < highThreshold ? BETWEEN_THRESHOLDS : best[i];
        }
        if (allowLowQualityMatches) {
            for (float[] row : iou) {
                float highest = Float.NEGATIVE_INFINITY;
                for (float v : row) {
                    highest = Math.max(highest, v);
                }
                for (int i = 0; i < n; i++) {
                    if (row[i] == highest) {
                        matches[i] = best[i]; // torchvision restores the box's own best match, as here
                    }
                }
            }
        }
        return matches;
    }

    /** IoU of every ground-truth box with every box, {@code [g][n]}. */
    public static float[][] iou(float[] groundTruth, float[] boxes) {
        int g = Boxes.count(groundTruth);
        int n = Boxes.count(boxes);
        float[][] out = new float[g][n];
        for (int i = 0; i < g; i++) {
            for (int j = 0; j < n; j++) {
                out[i][j] = Boxes.iou(groundTruth, i, boxes, j);
            }
        }
        return out;
    }
}
