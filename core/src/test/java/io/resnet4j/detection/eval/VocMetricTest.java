package io.resnet4j.detection.eval;

import static io.resnet4j.detection.eval.MetricCases.CLASSES;
import static io.resnet4j.detection.eval.MetricCases.classScore;
import static io.resnet4j.detection.eval.MetricCases.det;
import static io.resnet4j.detection.eval.MetricCases.difficult;
import static io.resnet4j.detection.eval.MetricCases.image;
import static io.resnet4j.detection.eval.MetricCases.obj;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.resnet4j.detection.AnnotatedImage;
import io.resnet4j.detection.Detection;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** VOC AP@0.5 against values worked out by hand from voc_eval.py's definition. */
class VocMetricTest {

    private static final Offset<Double> EXACT = within(1e-12);

    private static DetectionScores score(MetricKind kind, Object... imagesAndDetections) {
        DetectionMetric m = kind.create(CLASSES);
        for (int i = 0; i < imagesAndDetections.length; i += 2) {
            @SuppressWarnings("unchecked")
            List<Detection> dets = (List<Detection>) imagesAndDetections[i + 1];
            m.add((AnnotatedImage) imagesAndDetections[i], dets);
        }
        return m.result();
    }

    @Test
    void exactDetectionsScoreOne() {
        AnnotatedImage im = image("1", obj(1, 0, 0, 10, 10), obj(1, 20, 20, 40, 40));
        List<Detection> dets = List.of(det(1, 0.9, 0, 0, 10, 10), det(1, 0.8, 20, 20, 40, 40));
        assertThat(score(MetricKind.VOC07, im, dets).map()).isCloseTo(1.0, EXACT);
        assertThat(score(MetricKind.VOC, im, dets).map()).isCloseTo(1.0, EXACT);
    }

    /** Hit, miss, hit, hit over three objects: recall 1/3, 1/3, 2/3, 1 at precision 1, 1/2, 2/3, 3/4. */
    @Test
    void aFalsePositiveBetweenHitsGivesTheTwoDevkitsTheirOwnAreas() {
        Object[] run = {
            image("1", obj(1, 0, 0, 10, 10)), List.of(det(1, 0.9, 0, 0, 10, 10), det(1, 0.8, 50, 50, 60, 60)),
            image("2", obj(1, 0, 0, 10, 10)), List.of(det(1, 0.7, 0, 0, 10, 10)),
            image("3", obj(1, 0, 0, 10, 10)), List.of(det(1, 0.6, 0, 0, 10, 10))};
        // VOC2010+: envelope 1 up to recall 1/3, then 3/4: 1/3 * 1 + 2/3 * 3/4.
        assertThat(score(MetricKind.VOC, run).map()).isCloseTo(5.0 / 6, EXACT);
        // VOC2007: t = 0, .1, .2, .3 see precision 1; t = .4 ... 1 see 3/4.
        assertThat(score(MetricKind.VOC07, run).map()).isCloseTo((4 + 7 * 0.75) / 11, EXACT);
    }

    /** A second detection of an object already found is a false positive. */
    @Test
    void duplicatesAreFalsePositives() {
        Object[] run = {image("1", obj(1, 0, 0, 10, 10), obj(1, 20, 20, 30, 30)),
            List.of(det(1, 0.9, 0, 0, 10, 10), det(1, 0.8, 0, 0, 10, 10), det(1, 0.7, 20, 20, 30, 30))};
        // recall .5, .5, 1; precision 1, 1/2, 2/3.
        assertThat(score(MetricKind.VOC, run).map()).isCloseTo(0.5 + 0.5 * 2 / 3.0, EXACT);
        assertThat(score(MetricKind.VOC07, run).map()).isCloseTo((6 + 5 * 2 / 3.0) / 11, EXACT);
    }

    /**
     * A detection whose best overlap is a difficult object counts neither way, even when it also
     * overlaps an ordinary object a little less; difficult objects are not in the recall's count.
     */
    @Test
    void difficultObjectsAreIgnored() {
        Object[] run = {image("1", difficult(1, 0, 0, 10, 10), obj(1, 1, 0, 11, 10), obj(1, 50, 50, 60, 60)),
            List.of(det(1, 0.95, 0, 0, 10, 10), det(1, 0.9, 1, 0, 11, 10), det(1, 0.8, 50, 50, 60, 60))};
        DetectionScores s = score(MetricKind.VOC, run);
        assertThat(s.map()).isCloseTo(1.0, EXACT);
        assertThat(classScore(s, 1).objects()).isEqualTo(2);
        assertThat(score(MetricKind.VOC07, run).map()).isCloseTo(1.0, EXACT);
    }

    /** Equal scores are taken in data set order: the order of images decides the area. */
    @Test
    void tiesAreTakenInDataSetOrder() {
        AnnotatedImage missed = image("1", obj(1, 0, 0, 10, 10));
        AnnotatedImage found = image("2", obj(1, 0, 0, 10, 10));
        List<Detection> wrong = List.of(det(1, 0.5, 100, 100, 110, 110));
        List<Detection> right = List.of(det(1, 0.5, 0, 0, 10, 10));
        // miss then hit: recall 0, 1/2 at precision 0, 1/2 -> 1/2 * 1/2.
        assertThat(score(MetricKind.VOC, missed, wrong, found, right).map()).isCloseTo(0.25, EXACT);
        // hit then miss: recall 1/2 at precision 1.
        assertThat(score(MetricKind.VOC, found, right, missed, wrong).map()).isCloseTo(0.5, EXACT);
    }

    /** A class with objects and no detection scores 0; one without objects has no AP and stays out of the mean. */
    @Test
    void classesWithoutDetectionsOrWithoutObjects() {
        Object[] run = {image("1", obj(1, 0, 0, 10, 10)), List.of(det(2, 0.9, 0, 0, 10, 10))};
        DetectionScores s = score(MetricKind.VOC, run);
        assertThat(classScore(s, 1).ap()).isCloseTo(0.0, EXACT);
        assertThat(classScore(s, 2).ap()).isNull();
        assertThat(classScore(s, 2).detections()).isEqualTo(1);
        assertThat(s.map()).isCloseTo(0.0, EXACT);
        Object[] both = {image("1", obj(1, 0, 0, 10, 10), obj(2, 20, 20, 30, 30)),
            List.of(det(1, 0.9, 0, 0, 10, 10))};
        assertThat(score(MetricKind.VOC, both).map()).isCloseTo(0.5, EXACT); // (1 + 0) / 2
        assertThat(score(MetricKind.VOC, image("1"), List.of()).map()).isNull();
    }

    /** voc_eval.py needs an overlap above 0.5: exactly one half is a miss. */
    @Test
    void overlapOfExactlyOneHalfIsAMiss() {
        Object[] run = {image("1", obj(1, 0, 0, 10, 10)), List.of(det(1, 0.9, 0, 0, 10, 5))};
        assertThat(score(MetricKind.VOC, run).map()).isCloseTo(0.0, EXACT);
        Object[] more = {image("1", obj(1, 0, 0, 10, 10)), List.of(det(1, 0.9, 0, 0, 10, 5.01))};
        assertThat(score(MetricKind.VOC, more).map()).isCloseTo(1.0, EXACT);
    }

    /**
     * numpy's arange makes the fourth 11-point threshold 0.30000000000000004, so a recall of exactly
     * 3/10 does not reach it: three hits of ten objects give 3/11, not 4/11.
     */
    @Test
    void elevenPointThresholdsAreNumpysArange() {
        AnnotatedImage im = image("1", obj(1, 0, 0, 10, 10), obj(1, 20, 0, 30, 10), obj(1, 40, 0, 50, 10),
                obj(1, 60, 0, 70, 10), obj(1, 80, 0, 90, 10), obj(1, 100, 0, 110, 10), obj(1, 120, 0, 130, 10),
                obj(1, 140, 0, 150, 10), obj(1, 160, 0, 170, 10), obj(1, 180, 0, 190, 10));
        List<Detection> dets = List.of(det(1, 0.9, 0, 0, 10, 10), det(1, 0.8, 20, 0, 30, 10), det(1, 0.7, 40, 0, 50, 10));
        assertThat(score(MetricKind.VOC07, im, dets).map()).isCloseTo(3 / 11.0, EXACT);
        assertThat(score(MetricKind.VOC, im, dets).map()).isCloseTo(0.3, EXACT);
    }

    /** Detections are matched in score order whatever order the detector lists them in. */
    @Test
    void detectorOrderDoesNotMatterOutsideTies() {
        AnnotatedImage im = image("1", obj(1, 0, 0, 10, 10));
        // The better-scored detection overlaps 0.6 and takes the object; the exact one is a duplicate.
        List<Detection> dets = List.of(det(1, 0.8, 0, 0, 10, 10), det(1, 0.9, 0, 0, 10, 6));
        DetectionScores s = score(MetricKind.VOC, im, dets);
        assertThat(s.map()).isCloseTo(1.0, EXACT);
        assertThat(classScore(s, 1).detections()).isEqualTo(2);
    }

    @Test
    void refusesDetectionsItCannotScore() {
        DetectionMetric m = MetricKind.VOC.create(CLASSES);
        assertThatThrownBy(() -> m.add(image("1"), List.of(det(1, Double.NaN, 0, 0, 1, 1))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NaN score");
        assertThatThrownBy(() -> m.add(image("1"), List.of(new Detection(MetricCases.box(0, 0, 1, 1), 3, "c", 1f))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("label 3");
        assertThatThrownBy(() -> MetricKind.parse("map")).hasMessageContaining("voc07, voc or coco");
    }
}
