package io.resnet4j.detection.eval;

import static io.resnet4j.detection.eval.MetricCases.CLASSES;
import static io.resnet4j.detection.eval.MetricCases.classScore;
import static io.resnet4j.detection.eval.MetricCases.crowd;
import static io.resnet4j.detection.eval.MetricCases.det;
import static io.resnet4j.detection.eval.MetricCases.difficult;
import static io.resnet4j.detection.eval.MetricCases.image;
import static io.resnet4j.detection.eval.MetricCases.obj;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.resnet4j.detection.AnnotatedImage;
import io.resnet4j.detection.AnnotatedObject;
import io.resnet4j.detection.BoundingBox;
import io.resnet4j.detection.Detection;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** COCO's box metric against values worked out by hand from pycocotools' COCOeval. */
class CocoMetricTest {

    private static final Offset<Double> EXACT = within(1e-12);

    private static DetectionScores score(Object... imagesAndDetections) {
        DetectionMetric m = MetricKind.COCO.create(CLASSES);
        for (int i = 0; i < imagesAndDetections.length; i += 2) {
            @SuppressWarnings("unchecked")
            List<Detection> dets = (List<Detection>) imagesAndDetections[i + 1];
            m.add((AnnotatedImage) imagesAndDetections[i], dets);
        }
        return m.result();
    }

    @Test
    void thresholdsAndRecallPointsAreNumpysLinspace() {
        // np.linspace(.5, 0.95, 10) as numpy 1.24 prints it: 0.9 comes out one ulp low.
        assertThat(CocoMetric.IOU_THRESHOLDS).containsExactly(0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85,
                0.8999999999999999, 0.95);
        assertThat(CocoMetric.RECALL_POINTS).hasSize(101);
        assertThat(CocoMetric.RECALL_POINTS[50]).isEqualTo(0.5);
        assertThat(CocoMetric.RECALL_POINTS[100]).isEqualTo(1.0);
    }

    @Test
    void anExactDetectionScoresOneWhereObjectsExist() {
        DetectionScores s = score(image("1", obj(1, 0, 0, 100, 100)), List.of(det(1, 0.9, 0, 0, 100, 100)));
        CocoSummary c = s.coco();
        // pycocotools' precision is tp / (tp + fp + np.spacing(1)): one ulp below 1.
        assertSummary(c, 1.0, 1.0, 1.0, null, null, 1.0, 1.0, 1.0, 1.0, null, null, 1.0);
        assertThat(s.map()).isCloseTo(1.0, EXACT);
        assertThat(classScore(s, 2).ap()).isNull();
    }

    private static void assertSummary(CocoSummary c, Double... expected) {
        Double[] actual = c.toArray();
        for (int i = 0; i < expected.length; i++) {
            if (expected[i] == null) {
                assertThat(actual[i]).as("stat %d", i).isNull();
            } else {
                assertThat(actual[i]).as("stat %d", i).isCloseTo(expected[i], EXACT);
            }
        }
    }

    /** IoU 0.8 passes the thresholds 0.5 ... 0.8 (seven of ten), so AP is 0.7 and AP75 is 1. */
    @Test
    void apAveragesOverTenIouThresholds() {
        DetectionScores s = score(image("1", obj(1, 0, 0, 100, 100)), List.of(det(1, 0.9, 0, 0, 100, 80)));
        assertThat(s.coco().ap()).isCloseTo(0.7, EXACT);
        assertThat(s.coco().ap50()).isCloseTo(1.0, EXACT);
        assertThat(s.coco().ap75()).isCloseTo(1.0, EXACT);
        assertThat(s.coco().ar100()).isCloseTo(0.7, EXACT);
    }

    /**
     * Hit, miss, hit over two objects: the envelope is 1 up to recall 1/2 (points 0 ... 0.50, 51 of
     * them) and 2/3 after (50 points).
     */
    @Test
    void precisionIsReadAt101RecallPoints() {
        DetectionScores s = score(image("1", obj(1, 0, 0, 100, 100), obj(1, 200, 200, 300, 300)),
                List.of(det(1, 0.9, 0, 0, 100, 100), det(1, 0.8, 120, 0, 180, 60), det(1, 0.7, 200, 200, 300, 300)));
        assertThat(s.map()).isCloseTo((51 + 50 * 2 / 3.0) / 101, EXACT);
        assertThat(s.coco().ar100()).isCloseTo(1.0, EXACT);
    }

    /**
     * Detections inside a crowd region overlap it by intersection over their own area (1 here, 0.04
     * as a plain IoU) and are ignored, however many; they would otherwise be two misses ranked first.
     */
    @Test
    void detectionsOnACrowdRegionAreIgnored() {
        AnnotatedImage im = image("1", obj(1, 0, 0, 50, 50), crowd(1, 100, 0, 300, 200));
        List<Detection> dets = List.of(det(1, 0.95, 110, 10, 150, 50), det(1, 0.9, 200, 100, 240, 140),
                det(1, 0.8, 0, 0, 50, 50));
        DetectionScores s = score(im, dets);
        assertThat(s.coco().ap()).isCloseTo(1.0, EXACT);
        assertThat(classScore(s, 1).objects()).isEqualTo(1);
        assertThat(s.coco().apMedium()).isCloseTo(1.0, EXACT);
        assertThat(s.coco().apLarge()).isNull(); // the crowd region is large but ignored
    }

    @Test
    void noDetectionsScoreZeroAndAClassWithoutObjectsHasNoValue() {
        DetectionScores none = score(image("1", obj(1, 0, 0, 100, 100)), List.of());
        assertSummary(none.coco(), 0.0, 0.0, 0.0, null, null, 0.0, 0.0, 0.0, 0.0, null, null, 0.0);
        DetectionScores other = score(image("1", obj(1, 0, 0, 100, 100)),
                List.of(det(1, 0.9, 0, 0, 100, 100), det(2, 0.95, 0, 0, 100, 100)));
        assertThat(classScore(other, 2).ap()).isNull();
        assertThat(classScore(other, 2).detections()).isEqualTo(1);
        assertThat(other.map()).isCloseTo(1.0, EXACT);
    }

    /**
     * The better-scored duplicate overlaps 0.6: it takes the object at 0.5, 0.55, 0.6 and leaves the
     * exact box a false positive; above 0.6 it misses and the exact box, second, finds the object:
     * precision 1/2 at every recall point. AP = (3 * 1 + 7 * 1/2) / 10.
     */
    @Test
    void aDuplicateTakesTheObjectWhereverItOverlapsEnough() {
        DetectionScores s = score(image("1", obj(1, 0, 0, 100, 100)),
                List.of(det(1, 0.9, 0, 0, 100, 60), det(1, 0.8, 0, 0, 100, 100)));
        assertThat(s.coco().ap()).isCloseTo(0.65, EXACT);
        assertThat(s.coco().ap50()).isCloseTo(1.0, EXACT);
        assertThat(s.coco().ap75()).isCloseTo(0.5, EXACT);
    }

    /**
     * Small (20x20), medium (50x50) and large (100x100) objects; detections on the small and large
     * ones, and an unmatched small box ranked first. In each range the other objects are ignored, and
     * so is the unmatched box outside the range.
     */
    @Test
    void areaRangesIgnoreObjectsAndUnmatchedDetectionsOutsideThem() {
        AnnotatedImage im = image("1", obj(1, 0, 0, 20, 20), obj(1, 100, 0, 150, 50), obj(1, 200, 200, 300, 300));
        List<Detection> dets = List.of(det(1, 0.95, 350, 350, 360, 360), det(1, 0.9, 0, 0, 20, 20),
                det(1, 0.8, 200, 200, 300, 300));
        CocoSummary c = score(im, dets).coco();
        // all: miss, hit, hit of three: precision 2/3 at recall points 0 ... 0.66 (67 of 101).
        assertThat(c.ap()).isCloseTo(67 / 101.0 * 2 / 3, EXACT);
        assertThat(c.apSmall()).isCloseTo(0.5, EXACT); // the miss counts, the large hit is ignored
        assertThat(c.apMedium()).isCloseTo(0.0, EXACT);
        assertThat(c.apLarge()).isCloseTo(1.0, EXACT); // the small miss is outside the range
        assertThat(c.ar100()).isCloseTo(2 / 3.0, EXACT);
        assertThat(c.arSmall()).isCloseTo(1.0, EXACT);
        assertThat(c.arMedium()).isCloseTo(0.0, EXACT);
        assertThat(c.arLarge()).isCloseTo(1.0, EXACT);
    }

    /** COCO's own area (a segment's, smaller than its box) decides the range, not the box. */
    @Test
    void annotatedAreaDecidesTheRange() {
        BoundingBox b = MetricCases.box(0, 0, 40, 40); // box area 1600: medium
        AnnotatedImage im = image("1", new AnnotatedObject(b, 1, false, false, 1000f));
        CocoSummary c = score(im, List.of(det(1, 0.9, 0, 0, 40, 40))).coco();
        assertThat(c.apSmall()).isCloseTo(1.0, EXACT);
        assertThat(c.apMedium()).isNull();
    }

    @Test
    void averageRecallKeepsEachImagesFirstDetections() {
        AnnotatedImage im = image("1", obj(1, 0, 0, 100, 100), obj(1, 200, 200, 300, 300));
        CocoSummary c = score(im, List.of(det(1, 0.8, 200, 200, 300, 300), det(1, 0.9, 0, 0, 100, 100))).coco();
        assertThat(c.ar1()).isCloseTo(0.5, EXACT);
        assertThat(c.ar10()).isCloseTo(1.0, EXACT);
        assertThat(c.ar100()).isCloseTo(1.0, EXACT);
    }

    @Test
    void onlyTheHundredBestDetectionsOfAnImageAndClassCount() {
        List<Detection> dets = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            dets.add(det(1, 0.9, 300, 300, 310, 310)); // misses
        }
        dets.add(det(1, 0.5, 0, 0, 100, 100)); // the hit is the 101st
        DetectionScores s = score(image("1", obj(1, 0, 0, 100, 100)), dets);
        assertThat(s.map()).isCloseTo(0.0, EXACT);
        assertThat(classScore(s, 1).detections()).isEqualTo(100);
    }

    /** Equal scores across images merge in image order (numpy's stable mergesort). */
    @Test
    void tiesMergeInImageOrder() {
        AnnotatedImage missed = image("1", obj(1, 0, 0, 100, 100));
        AnnotatedImage found = image("2", obj(1, 0, 0, 100, 100));
        List<Detection> wrong = List.of(det(1, 0.5, 200, 200, 300, 300));
        List<Detection> right = List.of(det(1, 0.5, 0, 0, 100, 100));
        // miss then hit: precision 1/2 at recall points 0 ... 0.5 (51), 0 after.
        assertThat(score(missed, wrong, found, right).map()).isCloseTo(51 * 0.5 / 101, EXACT);
        // hit then miss: precision 1 at those points.
        assertThat(score(found, right, missed, wrong).map()).isCloseTo(51 / 101.0, EXACT);
    }

    @Test
    void difficultObjectsAreIgnoredRegions() {
        AnnotatedImage im = image("1", difficult(1, 0, 0, 100, 100), obj(1, 200, 200, 300, 300));
        DetectionScores s = score(im, List.of(det(1, 0.9, 0, 0, 100, 100), det(1, 0.8, 200, 200, 300, 300)));
        assertThat(s.map()).isCloseTo(1.0, EXACT);
    }

    @Test
    void meanIsOverClassesWithObjectsAndSerialisesToJson() throws Exception {
        AnnotatedImage im = image("1", obj(1, 0, 0, 100, 100), obj(2, 200, 200, 300, 300));
        DetectionScores s = score(im, List.of(det(1, 0.9, 0, 0, 100, 100)));
        assertThat(s.map()).isCloseTo(0.5, EXACT);
        JsonNode json = new ObjectMapper().valueToTree(s);
        assertThat(json.get("metric").asText()).isEqualTo("coco");
        assertThat(json.get("map").asDouble()).isCloseTo(0.5, within(1e-12));
        assertThat(json.get("per_class").get(1).get("name").asText()).isEqualTo("b");
        assertThat(json.get("per_class").get(1).get("ap").asDouble()).isZero();
        assertThat(json.get("coco").get("ap_small").isNull()).isTrue();
        assertThat(json.get("coco").get("ar100").asDouble()).isCloseTo(0.5, within(1e-12));
        JsonNode voc = new ObjectMapper().valueToTree(MetricKind.VOC.create(CLASSES).result());
        assertThat(voc.has("coco")).isFalse();
        assertThat(voc.get("map").isNull()).isTrue();
    }
}
