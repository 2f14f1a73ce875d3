package io.resnet4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** demo, train, eval and bench run in-process on the embedded sample: exit codes, files, JSON contracts. */
class TrainingCliTest {

    @Test
    void demoTrainsBothNetsAndDrawsTheCurves(@TempDir Path tmp) throws Exception {
        CliTest.Result r = CliTest.run("demo", "--iterations", "2", "--output", tmp.toString());
        assertDemoRan(r, tmp);
        JsonNode config = new ObjectMapper().readTree(tmp.resolve("resnet20/run.json").toFile()).get("config");
        assertThat(config.get("iterations").asInt()).isEqualTo(2);
        assertThat(config.get("recipe").get("name").asText()).isEqualTo("cifar");
        assertThat(CliTest.run("demo", "--epochs", "1", "--iterations", "2").err()).contains("not both");
    }

    /** The demo as users run it, one epoch of each net (39 iterations of 128 images). */
    @Tag("slow")
    @Test
    void demoTrainsAnEpochOfEachNet(@TempDir Path tmp) {
        assertDemoRan(CliTest.run("demo", "--epochs", "1", "--output", tmp.toString()), tmp);
    }

    private static void assertDemoRan(CliTest.Result r, Path dir) {
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("resnet20").contains("plain20").contains("TEST ERROR");
        assertThat(dir.resolve("curves.png")).exists();
        assertThat(dir.resolve("resnet20/model.safetensors")).exists();
        assertThat(dir.resolve("plain20/metrics.csv")).exists();
    }

    @Test
    void trainThenEvalOnTheSampleArchive(@TempDir Path tmp) throws Exception {
        Path archive = io.resnet4j.data.CifarSample.extractTo(tmp.resolve("data"));
        Path run = tmp.resolve("run");
        CliTest.Result t = CliTest.run("train", "--data", archive.toString(), "--model", "resnet20", "--iterations", "4",
                "--batch-size", "64", "--log-every", "2", "--output", run.toString());
        assertThat(t.code()).as(t.err()).isZero();
        assertThat(t.out()).contains("finished at iteration 4").doesNotContain("full budget");
        JsonNode runJson = new ObjectMapper().readTree(run.resolve("run.json").toFile());
        assertThat(runJson.get("status").asText()).isEqualTo("completed");
        assertThat(runJson.get("config").get("batch_size").asInt()).isEqualTo(64);
        assertThat(runJson.get("dataset").get("train_images").asInt()).isEqualTo(4500);

        CliTest.Result again = CliTest.run("train", "--data", archive.toString(), "--output", run.toString());
        assertThat(again.code()).isEqualTo(2);
        assertThat(again.err()).contains("already holds a run").contains("--resume");

        CliTest.Result e = CliTest.run("eval", "--weights", run.resolve("model.safetensors").toString(), "--data",
                archive.toString(), "--split", "test", "--json", "--plot", tmp.resolve("cm.png").toString());
        assertThat(e.code()).as(e.err()).isZero();
        JsonNode o = new ObjectMapper().readTree(e.out());
        assertThat(o.get("images").asInt()).isEqualTo(1000);
        assertThat(o.get("top1_error").asDouble()).isBetween(0.0, 1.0);
        assertThat(o.get("top5_error").asDouble()).isLessThanOrEqualTo(o.get("top1_error").asDouble());
        assertThat(o.get("matrix").size()).isEqualTo(10);
        assertThat(tmp.resolve("cm.png")).exists();

        // The same evaluation on eager libtorch and on an exported file: the engines agree.
        CliTest.Result eager = CliTest.run("eval", "--weights", run.resolve("model.safetensors").toString(), "--data",
                archive.toString(), "--split", "test", "--json", "--engine", "pytorch");
        assertThat(eager.code()).as(eager.err()).isZero();
        Path onnx = tmp.resolve("r20.onnx");
        CliTest.Result x = CliTest.run("export", "--weights", run.resolve("model.safetensors").toString(), "-o",
                onnx.toString());
        assertThat(x.code()).as(x.err()).isZero();
        CliTest.Result exported = CliTest.run("eval", "--weights", onnx.toString(), "--data", archive.toString(),
                "--split", "test", "--json");
        assertThat(exported.code()).as(exported.err()).isZero();
        for (CliTest.Result other : new CliTest.Result[] {eager, exported}) {
            JsonNode p = new ObjectMapper().readTree(other.out());
            assertThat(p.get("images").asInt()).isEqualTo(1000);
            // Logits agree within 1e-4, so at most a near-tie or two may flip.
            assertThat(p.get("top1_error").asDouble()).isCloseTo(o.get("top1_error").asDouble(),
                    org.assertj.core.data.Offset.offset(0.0025));
        }
    }

    /** The paper's 64,000 iterations are many hours on a CPU: said before the first step, with the way out. */
    @Test
    void theRecipesFullBudgetIsAnnouncedWithHowToAskForLess(@TempDir Path tmp) throws Exception {
        Path archive = io.resnet4j.data.CifarSample.extractTo(tmp.resolve("data"));
        CliTest.Result t = CliTest.run("train", "--data", archive.toString(), "--stop-after", "1", "--output",
                tmp.resolve("run").toString());
        assertThat(t.code()).as(t.err()).isZero();
        assertThat(t.out().lines().filter(l -> l.startsWith("note:"))).containsExactly("note: the recipe's full budget,"
                + " 64,000 iterations (1,820 epochs); the estimated time follows after the first 10 iterations; ask for"
                + " less with --epochs N or --iterations N");
    }

    @Test
    void trainAndEvalRejectBadInputWithTheFix(@TempDir Path tmp) throws Exception {
        CliTest.Result noData = CliTest.run("train");
        assertThat(noData.code()).isEqualTo(2);
        assertThat(noData.err()).contains("--data DIR is required");

        CliTest.Result unknown = CliTest.run("train", "--data", tmp.toString(), "--model", "resnet51");
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).contains("resnet51").contains("resnet50");

        Files.writeString(tmp.resolve("data_batch_1.bin"), "not cifar");
        CliTest.Result corrupt = CliTest.run("train", "--data", tmp.toString(), "--output", tmp.resolve("r").toString());
        assertThat(corrupt.code()).isEqualTo(1);
        assertThat(corrupt.err()).contains("data_batch_1.bin").doesNotContain("Exception");
        assertThat(tmp.resolve("r/run.json")).doesNotExist();

        CliTest.Result missing = CliTest.run("eval", "--weights", tmp.resolve("nope.safetensors").toString(), "--data",
                tmp.toString());
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("no weights at");
    }

    @Test
    void benchPrintsTheJsonContract() throws Exception {
        CliTest.Result r = CliTest.run("bench", "train", "--model", "resnet20", "--batch-size", "8", "--steps", "2",
                "--warmup", "1", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode o = new ObjectMapper().readTree(r.out());
        assertThat(o.get("images_per_s").asDouble()).isPositive();
        assertThat(o.get("median_step_s").asDouble()).isPositive();
        assertThat(o.get("workload").asText()).isEqualTo("train");
        assertThat(o.get("batch_size").asInt()).isEqualTo(8);
        CliTest.Result infer = CliTest.run("bench", "infer", "--model", "resnet18", "--batch-size", "1", "--steps", "1",
                "--warmup", "0", "--json");
        assertThat(infer.code()).as(infer.err()).isZero();
        assertThat(new ObjectMapper().readTree(infer.out()).get("workload").asText()).isEqualTo("infer");
    }
}
