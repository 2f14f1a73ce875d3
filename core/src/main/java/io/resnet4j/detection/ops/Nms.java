package io.resnet4j.detection.ops;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Greedy non-maximum suppression as torchvision's {@code nms} and {@code batched_nms}: boxes in
 * descending score order suppress every later box whose IoU with them exceeds the threshold.
 * Equal scores keep their input order (a stable sort), so results are reproducible.
 */
public final class Nms {

    private Nms() {}

    /**
     * @return indices of the kept boxes, in descending score order
     */
    public static int[] nms(float[] boxes, float[] scores, float iouThreshold) {
        int n = Boxes.count(boxes);
        if (scores.length != n) {
            throw new IllegalArgumentException(n + " boxes but " + scores.length + " scores");
        }
        int[] order = descending(scores, IntStream.range(0, n).toArray());
        boolean[] suppressed = new boolean[n];
        int[] keep = new int[n];
        int kept = 0;
        for (int a = 0; a < n; a++) {
            int i = order[a];
            if (suppressed[i]) {
                continue;
            }
            keep[kept++] = i;
            for (int b = a + 1; b < n; b++) {
                int j = order[b];
                if (!suppressed[j] && Boxes.iou(boxes, i, boxes, j) > iouThreshold) {
                    suppressed[j] = true;
                }
            }
        }
        return Arrays.copyOf(keep, kept);
    }

    /**
     * NMS within each group (class or pyramid level) independently, torchvision's {@code
     * batched_nms}; boxes of different groups never suppress each other.
     *
     * @return indices of the kept boxes over all groups, in descending score order
     */
    public static int[] batched(float[] boxes, float[] scores, int[] groups, float iouThreshold) {
        int n = scores.length;
        boolean[] keep = new boolean[n];
        int[] byGroup = IntStream.range(0, n).boxed().sorted(Comparator.comparingInt(i -> groups[i]))
                .mapToInt(Integer::intValue).toArray();
        for (int start = 0; start < n; ) {
            int end = start;
            while (end < n && groups[byGroup[end]] == groups[byGroup[start]]) {
                end++;
            }
            int[] members = Arrays.copyOfRange(byGroup, start, end);
            for (int k : nms(Boxes.rows(boxes, members), Boxes.select(scores, members), iouThreshold)) {
                keep[members[k]] = true;
            }
            start = end;
        }
        return descending(scores, IntStream.range(0, n).filter(i -> keep[i]).toArray());
    }

    /** The indices sorted by descending score, ties in the given order. */
    static int[] descending(float[] scores, int[] indices) {
        return Arrays.stream(indices).boxed().sorted((a, b) -> Float.compare(scores[b], scores[a]))
                .mapToInt(Integer::intValue).toArray();
    }
}
