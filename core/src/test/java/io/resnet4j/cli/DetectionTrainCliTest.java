package io.resnet4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train --task detection} and {@code demo --task detection} in-process: a run that stops,
 * resumes and finishes, a model that {@code eval --task detection} scores, and the usage errors.
 */
class DetectionTrainCliTest {

    @TempDir
    static Path tmp;
    static Path shapes;

    @BeforeAll
    static void sample() {
        shapes = tmp.resolve("shapes");
        CliTest.Result r = CliTest.run("sample", "--task", "detection", "--train-images", "4", "--val-images", "3",
                "--side", "64", shapes.toString());
        assertThat(r.code()).as(r.err()).isZero();
    }

    static CliTest.Result train(String... extra) {
        String[] base = {"train", "--task", "detection", "--recipe", "demo", "--data", shapes.toString(), "--min-size",
            "64", "--max-size", "64", "--batch-size", "2", "--threads", "2"};
        String[] args = java.util.Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return CliTest.run(args);
    }

    @Test
    void aRunStopsResumesFinishesAndItsModelIsScored() throws Exception {
        Path run = tmp.resolve("run");
        CliTest.Result first = train("--iterations", "2", "--eval-every", "1", "--stop-after", "1", "--output",
                run.toString());
        assertThat(first.code()).as(first.err()).isZero();
        assertThat(first.out()).contains("training fasterrcnn_resnet18_c4 (demo recipe)")
                .contains("4 images (train)").contains("scoring 3 images (val) with VOC07 mAP@0.5")
                .contains("stopped at iteration 1").contains("continue with: bin/resnet4j train --resume " + run);
        assertThat(first.err()).contains("iter 0/2").contains("untrained held-out mAP@0.5").contains("iter 1/2");

        CliTest.Result again = CliTest.run("train", "--output", run.toString(), "--task", "detection", "--data",
                shapes.toString());
        assertThat(again.code()).isEqualTo(2);
        assertThat(again.err()).contains("already holds a run; use --resume " + run);

        CliTest.Result resumed = CliTest.run("train", "--resume", run.toString(), "--threads", "2");
        assertThat(resumed.code()).as(resumed.err()).isZero();
        assertThat(resumed.err()).contains("resuming at iteration 1 of 2");
        assertThat(resumed.out()).contains("finished at iteration 2").contains("held-out mAP@0.5");
        assertThat(run.resolve("model.safetensors")).isRegularFile();
        assertThat(run.resolve("curves.png")).isRegularFile();
        assertThat(Files.readAllLines(run.resolve("metrics.csv"))).hasSize(4); // header, steps 0, 1 and 2
        // Epochs count from 1, as in classification runs: two steps of 2 images cover the 4 once.
        assertThat(Files.readAllLines(run.resolve("metrics.csv")).stream().skip(1).map(l -> l.split(",")[1]))
                .containsExactly("0", "1", "1");
        assertThat(first.err()).contains("iter 1/2 ep 1 ");

        JsonNode record = new ObjectMapper().readTree(run.resolve("run.json").toFile());
        assertThat(record.path("status").asText()).isEqualTo("completed");
        assertThat(Path.of(record.path("dataset").path("path").asText())).isAbsolute();
        assertThat(record.path("resumptions").get(0).path("iteration").asInt()).isEqualTo(1);
        assertThat(record.path("resumptions").get(0).path("changed").has("session.stop_after")).isTrue();
        assertThat(record.path("final").path("val_map50").isNumber()).isTrue();

        byte[] finished = Files.readAllBytes(run.resolve("run.json"));
        CliTest.Result done = CliTest.run("train", "--resume", run.toString());
        assertThat(done.code()).as(done.err()).isZero();
        assertThat(done.out()).contains("finished at iteration 2 of 2").contains("nothing to do");
        assertThat(Files.readAllBytes(run.resolve("run.json"))).isEqualTo(finished);
        CliTest.Result changed = CliTest.run("train", "--resume", run.toString(), "--lr", "0.5", "--iterations", "3");
        assertThat(changed.code()).isEqualTo(2);
        assertThat(changed.err()).contains("--lr cannot change when resuming");
        CliTest.Result resized = CliTest.run("train", "--resume", run.toString(), "--min-size", "32");
        assertThat(resized.code()).isEqualTo(2);
        assertThat(resized.err()).contains("--min-size cannot change when resuming");

        CliTest.Result eval = CliTest.run("eval", "--task", "detection", "--weights",
                run.resolve("model.safetensors").toString(), "--data", shapes.toString(), "--json");
        assertThat(eval.code()).as(eval.err()).isZero();
        JsonNode scores = new ObjectMapper().readTree(eval.out());
        assertThat(scores.get("images").asInt()).isEqualTo(3);
        assertThat(scores.get("map").asDouble()).isBetween(0.0, 1.0);

        Path folder = tmp.resolve("classes");
        for (String split : new String[] {"train", "val"}) {
            Path image;
            try (var images = Files.list(shapes.resolve("JPEGImages"))) {
                image = images.findFirst().orElseThrow();
            }
            Files.copy(image, Files.createDirectories(folder.resolve(split).resolve("a")).resolve("x.jpg"));
        }
        for (String[] classifierUse : new String[][] {
                {"train", "--init", run.resolve("model.safetensors").toString(), "--data", folder.toString()},
                {"predict", "--weights", run.resolve("model.safetensors").toString(), shapes.toString()}}) {
            CliTest.Result wrong = CliTest.run(classifierUse);
            assertThat(wrong.code()).as(wrong.err()).isEqualTo(2);
            assertThat(wrong.err()).contains(run.resolve("model.safetensors") + " is a Faster R-CNN detector checkpoint,"
                    + " not a classifier: use it with 'resnet4j detect'");
        }
    }

    @Test
    void optionsThatDoNotApplyOrCannotWorkAreUsageErrors() {
        Path out = tmp.resolve("never");
        assertUsage(train("--input", "64", "--output", out.toString()), "--input is a classification option");
        assertUsage(CliTest.run("train", "--task", "detection", "--data", shapes.toString(), "--model",
                "fasterrcnn_resnet7_c4", "--output", out.toString()), "unknown detector 'fasterrcnn_resnet7_c4'");
        assertUsage(CliTest.run("train", "--task", "detection", "--data", shapes.toString(), "--freeze-until", "conv2_x",
                "--model", "fasterrcnn_resnet18_c4", "--output", out.toString()), "--freeze-until needs --init");
        assertUsage(train("--model", "fasterrcnn_resnet50_c4", "--output", out.toString()),
                "--recipe demo trains its own model");
        assertUsage(train("--lr", "0", "--output", out.toString()), "--lr must be greater than 0");
        assertUsage(CliTest.run("train", "--task", "detection", "--data", tmp.resolve("nothing").toString()),
                "is not a folder");
        assertUsage(CliTest.run("train", "--data", shapes.toString(), "--min-size", "600"),
                "--min-size is for --task detection");
        assertUsage(CliTest.run("train", "--task", "detection", "--data", shapes.toString(), "--val-split", "train",
                "--output", out.toString()), "--val-split train is the split trained on");
        assertUsage(CliTest.run("train", "--task", "detection", "--recipe", "demo", "--data", shapes.toString(),
                "--min-size", "64", "--max-size", "32", "--output", out.toString()),
                "--max-size 32 is below the shorter side 64");
        assertUsage(CliTest.run("train", "--task", "detection", "--data", tmp.toString(), "--output", out.toString()),
                "is neither a Pascal VOC root");
        assertUsage(CliTest.run("train", "--resume", tmp.resolve("gone").toString()), "no such folder");
        assertThat(out).doesNotExist();
    }

    private static void assertUsage(CliTest.Result r, String message) {
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).contains(message);
    }

    /** The whole demo at two steps: data, training, mAP before and after, drawings. */
    @Test
    @Tag("slow")
    void theDemoTrainsScoresAndDraws() {
        Path dir = tmp.resolve("demo");
        CliTest.Result r = CliTest.run("demo", "--task", "detection", "--iterations", "2", "--output", dir.toString(),
                "--threads", "2");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("fasterrcnn_resnet18_c4 from scratch on procedural shapes")
                .containsPattern("held-out mAP@0.5 \\(VOC07\\): untrained \\d+\\.\\d\\d%, trained \\d+\\.\\d\\d% after 2"
                        + " iterations");
        assertThat(dir.resolve("run/model.safetensors")).isRegularFile();
        assertThat(dir.resolve("shapes/ImageSets/Main/val.txt")).isRegularFile();
        assertThat(dir.resolve("detections")).isDirectoryContaining("glob:**.png");
        CliTest.Result again = CliTest.run("demo", "--task", "detection", "--output", dir.toString());
        assertThat(again.code()).isEqualTo(2);
        assertThat(again.err()).contains("already exists and is not an empty folder");
    }
}
