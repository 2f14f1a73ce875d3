package io.resnet4j.detection.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.resnet4j.detection.ops.Boxes;
import org.junit.jupiter.api.Test;

/** Anchor and proposal matching on hand-made boxes, with the outcomes torchvision's Matcher gives. */
class MatcherTest {

    private static final float[] TWO_OBJECTS = {0, 0, 10, 10, 0, 20, 10, 30};
    /** IoU with the first object 0.9, 0.5, 0.1; none; IoU 0.6 with the second. */
    private static final float[] PREDICTIONS = {0, 0, 10, 9, 0, 0, 10, 5, 0, 0, 10, 1, 50, 50, 60, 60, 0, 20, 10, 26};

    @Test
    void predictionsAreMatchedIgnoredOrBackgroundByTheirBestIou() {
        assertThat(Boxes.iou(TWO_OBJECTS, 0, PREDICTIONS, 1)).isEqualTo(0.5f);
        assertThat(new Matcher(0.7f, 0.3f, false).match(TWO_OBJECTS, PREDICTIONS)).containsExactly(0,
                Matcher.BETWEEN_THRESHOLDS, Matcher.BELOW_LOW_THRESHOLD, Matcher.BELOW_LOW_THRESHOLD,
                Matcher.BETWEEN_THRESHOLDS);
        // Low-quality matches: the last prediction is the second object's best (0.6), so it keeps that match.
        assertThat(new Matcher(0.7f, 0.3f, true).match(TWO_OBJECTS, PREDICTIONS)).containsExactly(0,
                Matcher.BETWEEN_THRESHOLDS, Matcher.BELOW_LOW_THRESHOLD, Matcher.BELOW_LOW_THRESHOLD, 1);
        // The box head's matcher (0.5 / 0.5): at 0.5 a box is foreground, below it background.
        assertThat(new Matcher(0.5f, 0.5f, false).match(TWO_OBJECTS, PREDICTIONS)).containsExactly(0, 0,
                Matcher.BELOW_LOW_THRESHOLD, Matcher.BELOW_LOW_THRESHOLD, 1);
    }

    @Test
    void anObjectNoPredictionOverlapsMakesEveryZeroIouPredictionKeepItsOwnBestMatch() {
        // torchvision's quirk, kept: the second object's best IoU is 0, so every prediction at 0 with it is "best".
        float[] objects = {0, 0, 10, 10, 100, 100, 110, 110};
        float[] predictions = {0, 0, 10, 8, 50, 50, 60, 60};
        assertThat(new Matcher(0.7f, 0.3f, true).match(objects, predictions)).containsExactly(0, 0);
        assertThat(new Matcher(0.7f, 0.3f, false).match(objects, predictions)).containsExactly(0,
                Matcher.BELOW_LOW_THRESHOLD);
    }

    @Test
    void thresholdsOutOfOrderAndImagesWithoutObjectsAreRefused() {
        assertThatThrownBy(() -> new Matcher(0.3f, 0.7f, false)).hasMessageContaining("0 <= low <= high <= 1");
        assertThatThrownBy(() -> new Matcher(0.7f, 0.3f, false).match(new float[0], PREDICTIONS))
                .hasMessageContaining("at least one ground-truth box");
    }
}
