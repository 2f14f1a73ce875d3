package io.resnet4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sample --task detection} and {@code eval --task detection}, in-process, with the test
 * class path's oracle detectors ({@code oracle:ROOT}, {@code half:ROOT}) standing in for trained models.
 */
class DetectionCliTest {

    @TempDir
    static Path tmp;
    static Path root;

    @BeforeAll
    static void sample() {
        root = tmp.resolve("shapes");
        CliTest.Result r = CliTest.run("sample", "--task", "detection", "--train-images", "2", "--val-images", "12",
                "--side", "64", root.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("wrote 2 training and 12 validation images of 64x64 pixels");
    }

    @Test
    void sampleNeverOverwritesAndChecksItsOptions() throws IOException {
        assertThat(Files.readAllLines(root.resolve("ImageSets/Main/val.txt"))).hasSize(12);
        CliTest.Result again = CliTest.run("sample", "--task", "detection", root.toString());
        assertThat(again.code()).isEqualTo(2);
        assertThat(again.err()).contains("already exists and is not an empty folder");
        CliTest.Result side = CliTest.run("sample", "--task", "detection", "--side", "32", tmp.resolve("x").toString());
        assertThat(side.code()).isEqualTo(2);
        assertThat(side.err()).contains("--side must be between 64 and 1024, got 32");
        CliTest.Result task = CliTest.run("sample", "--task", "segmentation", tmp.resolve("y").toString());
        assertThat(task.code()).isEqualTo(2);
        assertThat(Files.exists(tmp.resolve("x"))).isFalse();
    }

    @Test
    void evalPrintsVocScoresAsJson() throws Exception {
        CliTest.Result r = CliTest.run("eval", "--task", "detection", "--weights", "oracle:" + root, "--data",
                root.toString(), "--json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode o = new ObjectMapper().readTree(r.out());
        assertThat(o.get("metric").asText()).isEqualTo("voc07");
        assertThat(o.get("images").asInt()).isEqualTo(12);
        assertThat(o.get("map").asDouble()).isEqualTo(1.0, org.assertj.core.api.Assertions.within(1e-12));
        assertThat(o.get("per_class")).hasSize(6);
        assertThat(o.get("per_class").get(0).get("name").asText()).isEqualTo("circle");
        assertThat(o.get("skipped").asInt()).isZero();
        assertThat(o.has("coco")).isFalse();
    }

    @Test
    void evalPrintsCocoSummaryAndAPerClassTable() {
        CliTest.Result r = CliTest.run("eval", "--task", "detection", "--weights", "half:" + root, "--data",
                root.toString(), "--metric", "coco");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("(12 images): COCO mAP@[.5:.95]").contains("CLASS").contains("triangle")
                .contains("Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ]")
                .contains("Average Recall     (AR) @[ IoU=0.50:0.95 | area= large | maxDets=100 ] = -1.000");
    }

    @Test
    void usageErrorsAndFailuresExitAsDocumented() throws IOException {
        CliTest.Result metric = CliTest.run("eval", "--task", "detection", "--weights", "oracle:" + root, "--data",
                root.toString(), "--metric", "map");
        assertThat(metric.code()).isEqualTo(2);
        assertThat(metric.err()).contains("unknown detection metric 'map'; use voc07, voc or coco");
        CliTest.Result weights = CliTest.run("eval", "--task", "detection", "--weights", "nothing.pth", "--data",
                root.toString());
        assertThat(weights.code()).isEqualTo(2);
        assertThat(weights.err()).contains("no such file: nothing.pth");
        CliTest.Result notData = CliTest.run("eval", "--task", "detection", "--weights", "oracle:" + root, "--data",
                tmp.toString());
        assertThat(notData.code()).isEqualTo(1);
        assertThat(notData.err()).contains("is neither a Pascal VOC root");
        CliTest.Result classification = CliTest.run("eval", "--weights", "w", "--data", root.toString(), "--metric", "coco");
        assertThat(classification.code()).isEqualTo(2);
        assertThat(classification.err()).contains("--metric is for --task detection");
    }

    @Test
    void aBrokenImageIsReportedAndFailsTheRun() throws IOException {
        Path copy = tmp.resolve("broken");
        CliTest.run("sample", "--task", "detection", "--train-images", "0", "--val-images", "3", "--side", "64",
                copy.toString());
        CliTest.Result oracle = CliTest.run("eval", "--task", "detection", "--weights", "oracle:" + copy, "--data",
                copy.toString(), "--json");
        assertThat(oracle.code()).isZero();
        Files.writeString(copy.resolve("JPEGImages/000001.jpg"), "truncated");
        CliTest.Result r = CliTest.run("eval", "--task", "detection", "--weights", "oracle:" + root, "--data",
                copy.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("warning: skipped").contains("000001.jpg")
                .contains("1 of 3 images could not be read and are left out of the scores");
        assertThat(r.out()).contains("(2 images)");
    }
}
