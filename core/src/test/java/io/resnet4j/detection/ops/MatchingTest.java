package io.resnet4j.detection.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Anchor and proposal matching and sampling, on hand-made cases with the outcomes torchvision's code gives. */
class MatchingTest {

    @Test
    void boxesAreMatchedIgnoredOrBackgroundByTheirBestIou() {
        float[][] iou = {
            {0.9f, 0.5f, 0.1f, 0.0f},
            {0.2f, 0.6f, 0.25f, 0.0f}};
        assertThat(new Matcher(0.7f, 0.3f, false).match(iou)).containsExactly(0, Matcher.BETWEEN_THRESHOLDS,
                Matcher.BELOW_LOW_THRESHOLD, Matcher.BELOW_LOW_THRESHOLD);
        // Low-quality matches: box 1 is ground truth 1's best (0.6), so it keeps its own best match, 1.
        assertThat(new Matcher(0.7f, 0.3f, true).match(iou)).containsExactly(0, 1, Matcher.BELOW_LOW_THRESHOLD,
                Matcher.BELOW_LOW_THRESHOLD);
        // The box head's matcher (0.5 / 0.5): at 0.5 a box is foreground, below it background.
        assertThat(new Matcher(0.5f, 0.5f, false).match(iou)).containsExactly(0, 1, Matcher.BELOW_LOW_THRESHOLD,
                Matcher.BELOW_LOW_THRESHOLD);
    }

    @Test
    void aGroundTruthBoxWithoutOverlapMakesEveryZeroIouBoxRestoreItsOwnMatch() {
        // torchvision's quirk, kept: the best IoU of ground truth 1 is 0, so every box at 0 with it is "best".
        float[][] iou = {{0.8f, 0.0f}, {0.0f, 0.0f}};
        assertThat(new Matcher(0.7f, 0.3f, true).match(iou)).containsExactly(0, 0);
    }

    @Test
    void iouIsIntersectionOverUnionOfContinuousBoxes() {
        float[] a = {0, 0, 10, 10};
        float[] b = {5, 0, 15, 10, 20, 20, 30, 30};
        float[][] iou = Matcher.iou(a, b);
        assertThat(iou[0][0]).isEqualTo(50f / 150f);
        assertThat(iou[0][1]).isZero();
    }

    @Test
    void samplesHoldAtMostTheFractionOfPositivesAndFillWithNegatives() {
        int[] labels = new int[100];
        for (int i = 0; i < 100; i++) {
            labels[i] = i < 10 ? 3 : i < 20 ? -1 : 0; // 10 positives, 10 ignored, 80 negatives
        }
        BalancedSampler.Sample s = new BalancedSampler(16, 0.25f).sample(labels, new Random(7));
        assertThat(s.positives()).hasSize(4);
        assertThat(java.util.Arrays.stream(s.positives())).allMatch(i -> i < 10);
        assertThat(s.all()).hasSize(16).isSorted().doesNotHaveDuplicates().contains(s.positives());
        assertThat(java.util.Arrays.stream(s.all())).allMatch(i -> i < 10 || i >= 20);
        BalancedSampler.Sample few = new BalancedSampler(256, 0.5f).sample(labels, new Random(7));
        assertThat(few.positives()).hasSize(10);
        assertThat(few.all()).hasSize(90); // every positive and every negative: fewer than asked for
        assertThat(new BalancedSampler(16, 0.25f).sample(labels, new Random(7)).all()).containsExactly(s.all());
    }

    @Test
    void nmsSuppressesOnlyAboveTheThresholdAndOnlyWithinAGroup() {
        float[] boxes = {0, 0, 10, 10, 0, 0, 10, 5, 1, 0, 11, 10, 50, 50, 60, 60};
        float[] scores = {0.9f, 0.8f, 0.7f, 0.95f};
        // IoU(0, 1) = 0.5 exactly: kept at threshold 0.5 (suppression needs IoU > threshold).
        assertThat(Nms.nms(boxes, scores, 0.5f)).containsExactly(3, 0, 1);
        assertThat(Nms.nms(boxes, scores, 0.4f)).containsExactly(3, 0);
        assertThat(Nms.batched(boxes, scores, new int[] {1, 1, 2, 1}, 0.4f)).containsExactly(3, 0, 2);
        assertThat(Nms.nms(new float[] {0, 0, 1, 1, 0, 0, 1, 1}, new float[] {0.5f, 0.5f}, 0.5f)).containsExactly(0);
    }
}
