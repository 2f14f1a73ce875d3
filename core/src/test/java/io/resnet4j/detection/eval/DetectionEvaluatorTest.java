package io.resnet4j.detection.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.resnet4j.detection.AnnotatedImage;
import io.resnet4j.detection.AnnotatedObject;
import io.resnet4j.detection.Detection;
import io.resnet4j.detection.DetectionDataset;
import io.resnet4j.detection.ObjectDetector;
import io.resnet4j.detection.data.DetectionSample;
import io.resnet4j.detection.data.VocDataset;
import io.resnet4j.image.ImageLoader;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The evaluator end to end on the procedural set, with detectors whose scores are known. */
class DetectionEvaluatorTest {

    @TempDir
    static Path tmp;
    static VocDataset val;

    @BeforeAll
    static void sample() throws IOException {
        DetectionSample.write(tmp.resolve("shapes"), new DetectionSample.Spec(64, 0, 30, 4, true, 21));
        val = VocDataset.read(tmp.resolve("shapes"), "val");
    }

    @Test
    void anOracleScoresOneOnEveryMetric() throws IOException {
        List<Integer> progress = new ArrayList<>();
        try (ObjectDetector oracle = new OracleDetectors.Oracle(val, false)) {
            DetectionEvaluator.Progress p = new DetectionEvaluator.Progress() {
                @Override
                public void image(int done, int total) {
                    progress.add(done);
                }

                @Override
                public void skipped(AnnotatedImage image, String reason) {
                    throw new AssertionError(reason);
                }
            };
            DetectionEvaluator.Result voc = DetectionEvaluator.evaluate(oracle, val, MetricKind.VOC07, 1_000_000, p);
            assertThat(voc.scores().map()).isCloseTo(1.0, within(1e-12));
            assertThat(voc.scores().images()).isEqualTo(30);
            assertThat(progress).hasSize(30).endsWith(30);
            DetectionScores coco = DetectionEvaluator.evaluate(oracle, val, MetricKind.COCO, 1_000_000,
                    DetectionEvaluator.Progress.none()).scores();
            assertThat(coco.map()).isCloseTo(1.0, within(1e-12));
            assertThat(coco.perClass()).hasSize(6).allSatisfy(c -> assertThat(c.objects()).isPositive());
        }
    }

    /** Finding every second object of each image with precision 1: each class's VOC2010 AP is its recall. */
    @Test
    void aDetectorThatMissesHalfScoresItsRecall() throws IOException {
        double expected = 0;
        for (int c = 1; c <= 6; c++) {
            int all = 0;
            int found = 0;
            for (AnnotatedImage im : val.images()) {
                for (int i = 0; i < im.objects().size(); i++) {
                    if (im.objects().get(i).label() == c) {
                        all++;
                        found += i % 2 == 0 ? 1 : 0;
                    }
                }
            }
            expected += (double) found / all / 6;
        }
        try (ObjectDetector half = new OracleDetectors.Oracle(val, true)) {
            DetectionScores s = DetectionEvaluator.evaluate(half, val, MetricKind.VOC, 1_000_000,
                    DetectionEvaluator.Progress.none()).scores();
            assertThat(s.map()).isCloseTo(expected, within(1e-12)).isLessThan(0.99);
        }
    }

    /** The detector's classes are matched by name: a detector listing them in another order scores the same. */
    @Test
    void labelsAreMatchedByName() throws IOException {
        List<String> reversed = new ArrayList<>(val.classNames().subList(1, 7));
        java.util.Collections.reverse(reversed);
        reversed.add(0, "__background__");
        reversed.add("unicorn");
        try (OracleDetectors.Oracle oracle = new OracleDetectors.Oracle(val, false)) {
            ObjectDetector renamed = new ObjectDetector() {
                @Override
                public List<Detection> detect(BufferedImage image) {
                    return oracle.detect(image).stream().map(d -> new Detection(d.box(), 7 - d.label(), d.name(),
                            d.score())).toList();
                }

                @Override
                public List<String> classNames() {
                    return reversed;
                }

                @Override
                public void close() {}
            };
            DetectionEvaluator.Result all = DetectionEvaluator.evaluate(renamed, val, MetricKind.VOC07, 1_000_000,
                    DetectionEvaluator.Progress.none());
            assertThat(all.scores().map()).isCloseTo(1.0, within(1e-12));
            assertThat(all.classesNotDetected()).as("an extra detector class is no data class missing").isEmpty();
        }
        List<String> lacking = new ArrayList<>(val.classNames());
        String dropped = lacking.remove(3);
        assertThat(DetectionEvaluator.classesNotDetected(lacking, val.classNames())).containsExactly(dropped);
        assertThatThrownBy(() -> DetectionEvaluator.labelMap(List.of("__background__", "cat"), val.classNames()))
                .hasMessageContaining("share no name");
    }

    @Test
    void unreadableImagesAreSkippedAndNamed() throws IOException {
        AnnotatedImage good = val.images().get(0);
        Path broken = tmp.resolve("broken.jpg");
        Files.writeString(broken, "not a jpeg");
        AnnotatedImage bad = new AnnotatedImage("bad", broken, 64, 64, List.of(AnnotatedObject.of(good.objects().get(0)
                .box(), 1)));
        DetectionDataset two = new DetectionDataset() {
            @Override
            public List<String> classNames() {
                return val.classNames();
            }

            @Override
            public List<AnnotatedImage> images() {
                return List.of(good, bad);
            }
        };
        try (ObjectDetector oracle = new OracleDetectors.Oracle(val, false)) {
            DetectionEvaluator.Result r = DetectionEvaluator.evaluate(oracle, two, MetricKind.VOC07, 1_000_000,
                    DetectionEvaluator.Progress.none());
            assertThat(r.skipped()).singleElement().asString().contains("broken.jpg");
            assertThat(r.scores().images()).isEqualTo(1);
            assertThat(r.scores().map()).isCloseTo(1.0, within(1e-12));
            DetectionEvaluator.Result tiny = DetectionEvaluator.evaluate(oracle, two, MetricKind.VOC07, 100,
                    DetectionEvaluator.Progress.none());
            assertThat(tiny.skipped()).hasSize(2).first().asString().contains("more than the limit of 100");
        }
        assertThat(ImageLoader.read(good.file()).height()).isEqualTo(64);
    }
}
