package io.resnet4j.detection.train;

import io.resnet4j.detection.ops.Boxes;

/**
 * Assigns each prediction (anchor or proposal) to the ground-truth box it overlaps most, as
 * torchvision's {@code Matcher}: an IoU of at least {@code highThreshold} is a match, below {@code
 * lowThreshold} the prediction is background, and in between it is ignored. With {@code
 * allowLowQualityMatches} (the RPN's setting) each ground-truth box also claims the predictions that
 * overlap it most, ties included, even below the threshold, so no box is left without a positive.
 *
 * @param highThreshold the IoU from which a prediction matches
 * @param lowThreshold the IoU below which a prediction is background
 * @param allowLowQualityMatches whether each box keeps its best predictions
 */
public record Matcher(float highThreshold, float lowThreshold, boolean allowLowQualityMatches) {

    /** A prediction whose best IoU is below the low threshold: background. */
    public static final int BELOW_LOW_THRESHOLD = -1;
    /** A prediction whose best IoU is between the thresholds: neither foreground nor background. */
    public static final int BETWEEN_THRESHOLDS = -2;

    public Matcher {
        if (!(lowThreshold <= highThreshold) || lowThreshold < 0 || highThreshold > 1) {
            throw new IllegalArgumentException("IoU thresholds need 0 <= low <= high <= 1, got low " + lowThreshold
                    + " and high " + highThreshold);
        }
    }

    /**
     * @param gt M ground-truth boxes, rows of (x1, y1, x2, y2)
     * @param predictions N boxes
     * @return per prediction the index of its box (0..M-1), {@link #BELOW_LOW_THRESHOLD} or {@link #BETWEEN_THRESHOLDS}
     * @throws IllegalArgumentException without ground truth (an image without objects has no matches to make)
     */
    public int[] match(float[] gt, float[] predictions) {
        int m = Boxes.count(gt);
        int n = Boxes.count(predictions);
        if (m == 0) {
            throw new IllegalArgumentException("matching needs at least one ground-truth box");
        }
        int[] matches = new int[n];
        float[] best = new float[n];
        float[] bestPerGt = new float[m];
        java.util.Arrays.fill(bestPerGt, Float.NEGATIVE_INFINITY);
        for (int j = 0; j < n; j++) {
            best[j] = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < m; i++) {
                float q = Boxes.iou(gt, i, predictions, j);
                if (q > best[j]) { // the first of equal maxima, as torch.max
                    best[j] = q;
                    matches[j] = i;
                }
                bestPerGt[i] = Math.max(bestPerGt[i], q);
            }
        }
        int[] allMatches = matches.clone();
        for (int j = 0; j < n; j++) {
            if (best[j] < lowThreshold) {
                matches[j] = BELOW_LOW_THRESHOLD;
            } else if (best[j] < highThreshold) {
                matches[j] = BETWEEN_THRESHOLDS;
            }
        }
        if (allowLowQualityMatches) {
            // IoU is recomputed (bit for bit the same) rather than kept: M x N floats for COCO-sized images.
            for (int j = 0; j < n; j++) {
                for (int i = 0; i < m; i++) {
                    if (Boxes.iou(gt, i, predictions, j) == bestPerGt[i]) {
                        matches[j] = allMatches[j];
                        break;
                    }
                }
            }
        }
        return matches;
    }
}
