package io.resnet4j.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Counting, derived accuracies, the three output forms, and top-k tie handling. */
class ConfusionMatrixTest {

    /**
     * Hand-made: 3 classes, 10 samples.
     * cat: 3 right, 1 as dog  (4)   -> 75%
     * dog: 2 as cat, 2 right  (4)   -> 50%
     * airplane: 2 right       (2)   -> 100%
     * correct 7/10 -> top-1 error 30%.
     */
    static ConfusionMatrix example() {
        ConfusionMatrix cm = new ConfusionMatrix(List.of("cat", "dog", "airplane"));
        cm.add(new int[] {0, 0, 0, 0, 1, 1, 1, 1, 2, 2}, new int[] {0, 0, 0, 1, 0, 0, 1, 1, 2, 2});
        return cm;
    }

    @Test
    void countsAndAccuracies() {
        ConfusionMatrix cm = example();
        assertThat(cm.total()).isEqualTo(10);
        assertThat(cm.correct()).isEqualTo(7);
        assertThat(cm.count(0, 1)).isEqualTo(1);
        assertThat(cm.count(1, 0)).isEqualTo(2);
        assertThat(cm.count(2, 0)).isZero();
        assertThat(cm.matrix()).isEqualTo(new long[][] {{3, 1, 0}, {2, 2, 0}, {0, 0, 2}});
        assertThat(cm.top1Error()).isCloseTo(0.3, within(1e-12));
        assertThat(cm.accuracy()).isCloseTo(0.7, within(1e-12));
        assertThat(cm.perClassAccuracy()).containsExactly(new double[] {0.75, 0.5, 1.0}, within(1e-12));
    }

    @Test
    void emptyMatrixHasNoAccuracyRatherThanAPerfectOne() {
        ConfusionMatrix cm = new ConfusionMatrix(List.of("a", "b"));
        assertThat(cm.top1Error()).isNaN();
        assertThat(cm.perClassAccuracy()[0]).isNaN();
        assertThat(cm.toJson().get("per_class_accuracy").get(0).isNull()).isTrue();
        assertThat(cm.toJson().get("top1_error").isNull()).isTrue();
    }

    @Test
    void mergingAddsCounts() {
        ConfusionMatrix a = example();
        a.addAll(example());
        assertThat(a.total()).isEqualTo(20);
        assertThat(a.count(1, 0)).isEqualTo(4);
        assertThat(a.top1Error()).isCloseTo(0.3, within(1e-12));
    }

    @Test
    void textTableIsAlignedWithClassNames() {
        String text = example().toText();
        List<String> lines = text.lines().toList();
        assertThat(lines.get(0)).contains("cat").contains("dog").contains("airplane").contains("accuracy");
        assertThat(lines.get(1)).startsWith("cat ");
        assertThat(lines.get(2)).startsWith("dog ");
        assertThat(lines.get(3)).startsWith("airplane ");
        // The three matrix rows and the header have the same width, and each column's right edge lines up.
        assertThat(lines.subList(0, 4)).extracting(String::length).containsOnly(lines.get(0).length());
        int airplaneEnd = lines.get(0).indexOf("airplane") + "airplane".length();
        assertThat(lines.get(1).charAt(airplaneEnd - 1)).isEqualTo('0');
        assertThat(lines.get(3).charAt(airplaneEnd - 1)).isEqualTo('2');
        assertThat(lines.get(1)).endsWith("75.00%");
        assertThat(lines.get(2)).endsWith("50.00%");
        assertThat(lines.get(3)).endsWith("100.00%");
        assertThat(text).contains("7/10").contains("top-1 error 30.00%");
    }

    @Test
    void jsonCarriesMatrixClassesAndPerClassAccuracy() {
        ObjectNode json = example().toJson();
        assertThat(json.get("classes").toString()).isEqualTo("[\"cat\",\"dog\",\"airplane\"]");
        assertThat(json.get("matrix").toString()).isEqualTo("[[3,1,0],[2,2,0],[0,0,2]]");
        assertThat(json.get("per_class_accuracy").toString()).isEqualTo("[0.75,0.5,1.0]");
        assertThat(json.get("total").asLong()).isEqualTo(10);
        assertThat(json.get("top1_error").asDouble()).isCloseTo(0.3, within(1e-12));
    }

    @Test
    void heatMapPngIsWritten(@TempDir Path dir) throws IOException {
        Path png = dir.resolve("confusion.png");
        example().writePng(png, 600, 480);
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image.getWidth()).isEqualTo(600);
        assertThat(image.getHeight()).isEqualTo(480);

        Path auto = dir.resolve("auto.png");
        example().writePng(auto);
        assertThat(ImageIO.read(auto.toFile())).isNotNull();
    }

    @Test
    void topKWithDistinctScoresIsTheUsualRank() {
        float[] s = {0.1f, 0.5f, 0.3f, 0.9f, 0.2f};
        assertThat(ConfusionMatrix.inTopK(s, 3, 1)).isTrue();
        assertThat(ConfusionMatrix.inTopK(s, 1, 1)).isFalse();
        assertThat(ConfusionMatrix.inTopK(s, 1, 2)).isTrue();
        assertThat(ConfusionMatrix.inTopK(s, 0, 4)).isFalse();
        assertThat(ConfusionMatrix.inTopK(s, 0, 5)).isTrue();
    }

    @Test
    void tiesCountAgainstTheLabel() {
        // Label 1 ties with class 0 for the top score: pessimistically it is ranked second.
        float[] s = {0.7f, 0.7f, 0.1f};
        assertThat(ConfusionMatrix.inTopK(s, 1, 1)).isFalse();
        assertThat(ConfusionMatrix.inTopK(s, 0, 1)).isFalse();
        assertThat(ConfusionMatrix.inTopK(s, 1, 2)).isTrue();
        // A collapsed network scoring every class equally is never right in top-1 or top-5 of 10.
        float[] flat = new float[10];
        assertThat(ConfusionMatrix.inTopK(flat, 4, 1)).isFalse();
        assertThat(ConfusionMatrix.inTopK(flat, 4, 5)).isFalse();
        assertThat(ConfusionMatrix.inTopK(flat, 4, 10)).isTrue();
        // NaN label score is never in the top k; NaN elsewhere does not outrank.
        assertThat(ConfusionMatrix.inTopK(new float[] {Float.NaN, 0.2f}, 0, 2)).isFalse();
        assertThat(ConfusionMatrix.inTopK(new float[] {Float.NaN, 0.2f}, 1, 1)).isTrue();
    }
}
