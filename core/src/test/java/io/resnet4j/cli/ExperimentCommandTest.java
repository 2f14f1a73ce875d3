package io.resnet4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** `experiment` end to end on the embedded sample with a tiny budget: outputs, run.json, skipping, responses. */
class ExperimentCommandTest {

    static CliTest.Result run(String... args) {
        return CliTest.run(args);
    }

    @Test
    void degradationWritesFiguresAndTablesSkipsFinishedMembersAndFeedsResponses(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("deg");
        // 256 images / batch 64 = 4 iterations per member: seconds on a CPU.
        String[] args = {"experiment", "degradation", "--depths", "20", "--epochs", "1", "--train-subset", "256",
            "--batch-size", "64", "--val-subset", "100", "--threads", "2", "--output", dir.toString()};
        CliTest.Result first = run(args);
        assertThat(first.code()).as(first.err()).isZero();
        assertThat(first.out()).contains("plain20: training plain-20").contains("resnet20: finished at iteration 4");
        for (String f : List.of("fig6_plain.png", "fig6_plain.svg", "fig6_resnet.png", "fig6_resnet.svg", "table6.md",
                "table6.csv", "run.json", "plain20/model.safetensors", "plain20/metrics.csv", "plain20/run.json",
                "resnet20/model.safetensors", "resnet20/checkpoints")) {
            assertThat(dir.resolve(f)).as(f).exists();
        }
        assertThat(Files.size(dir.resolve("fig6_resnet.png"))).isGreaterThan(1000);
        assertThat(Files.readString(dir.resolve("fig6_plain.svg"))).contains("<svg");
        JsonNode manifest = new ObjectMapper().readTree(dir.resolve("run.json").toFile());
        assertThat(manifest.get("experiment").asText()).isEqualTo("degradation");
        assertThat(manifest.get("status").asText()).isEqualTo("completed");
        assertThat(manifest.get("data").get("train_subset").asInt()).isEqualTo(256);
        assertThat(manifest.get("data").get("train_images").asInt()).isEqualTo(256);
        assertThat(manifest.get("budget").get("epochs").asInt()).isEqualTo(1);
        assertThat(manifest.get("environment").isObject()).isTrue();
        assertThat(manifest.get("members")).hasSize(2);
        assertThat(manifest.get("members").get(0).get("name").asText()).isEqualTo("plain20");
        assertThat(manifest.get("members").get(1).get("status").asText()).isEqualTo("completed");
        assertThat(manifest.get("members").get(1).get("params").asLong()).isEqualTo(269_722L);
        assertThat(manifest.get("outputs").toString()).contains("table6.md").contains("fig6_plain.png");
        List<String> csv = Files.readAllLines(dir.resolve("table6.csv"));
        assertThat(csv).hasSize(2);
        assertThat(csv.get(1)).startsWith("20,269722,").endsWith(",n/a (Fig. 6 only),8.75");
        assertThat(Files.readString(dir.resolve("table6.md"))).contains("| 20 | 269722 |");
        long weightsTime = Files.getLastModifiedTime(dir.resolve("resnet20/model.safetensors")).toMillis();

        long start = System.nanoTime();
        CliTest.Result second = run(args);
        double seconds = (System.nanoTime() - start) / 1e9;
        assertThat(second.code()).as(second.err()).isZero();
        assertThat(second.out()).contains("plain20: already finished, skipped")
                .contains("resnet20: already finished, skipped").doesNotContain("training plain-20");
        assertThat(seconds).isLessThan(15);
        assertThat(Files.getLastModifiedTime(dir.resolve("resnet20/model.safetensors")).toMillis()).isEqualTo(weightsTime);
        assertThat(Files.readAllLines(dir.resolve("table6.csv"))).isEqualTo(csv);

        // --resume names the folder as train's --resume RUN_DIR does.
        CliTest.Result resumed = run("experiment", "degradation", "--depths", "20", "--epochs", "1", "--train-subset",
                "256", "--batch-size", "64", "--val-subset", "100", "--threads", "2", "--resume", dir.toString());
        assertThat(resumed.code()).as(resumed.err()).isZero();
        assertThat(resumed.out()).contains("resnet20: already finished, skipped").contains("-> " + dir);

        // A different budget must not be mixed into the same table.
        CliTest.Result other = run("experiment", "degradation", "--depths", "20", "--epochs", "2", "--train-subset",
                "256", "--batch-size", "64", "--output", dir.toString());
        assertThat(other.code()).isEqualTo(2);
        assertThat(other.err()).contains("was trained for 4 iterations").contains("another --output");

        CliTest.Result responses = run("experiment", "responses", "--from", dir.toString(), "--val-subset", "50",
                "--threads", "2");
        assertThat(responses.code()).as(responses.err()).isZero();
        List<String> rows = Files.readAllLines(dir.resolve("responses.csv"));
        // Header + 2 nets x 9 basic units x 2 convs.
        assertThat(rows).hasSize(1 + 2 * 18);
        assertThat(rows.get(0)).isEqualTo("model,layer_index,layer_name,std");
        assertThat(rows.get(1)).startsWith("plain20,1,layer1.0.conv1,");
        assertThat(rows.get(19)).startsWith("resnet20,1,layer1.0.conv1,");
        assertThat(rows.get(36)).startsWith("resnet20,18,layer3.2.conv2,");
        for (String f : List.of("fig7_original.png", "fig7_original.svg", "fig7_sorted.png", "fig7_sorted.svg",
                "responses.json")) {
            assertThat(dir.resolve(f)).as(f).exists();
        }
        // The degradation's own run.json is left as it was.
        assertThat(new ObjectMapper().readTree(dir.resolve("run.json").toFile()).get("experiment").asText())
                .isEqualTo("degradation");
    }

    @Test
    void badInputIsAOneLineUsageError(@TempDir Path tmp) {
        CliTest.Result noBudget = run("experiment", "degradation", "--output", tmp.resolve("x").toString());
        assertThat(noBudget.code()).isEqualTo(2);
        assertThat(noBudget.err()).contains("give exactly one budget");
        CliTest.Result depth = run("experiment", "degradation", "--depths", "21", "--epochs", "1");
        assertThat(depth.code()).isEqualTo(2);
        assertThat(depth.err()).contains("depth 21 is not one of the paper's CIFAR depths");
        CliTest.Result option = run("experiment", "shortcuts", "--options", "A,D", "--epochs", "1");
        assertThat(option.code()).isEqualTo(2);
        assertThat(option.err()).contains("unknown shortcut option 'D'");
        CliTest.Result from = run("experiment", "responses", "--from", tmp.toString());
        assertThat(from.code()).isEqualTo(2);
        assertThat(from.err()).contains("is not a resnet4j run folder");
        CliTest.Result twoFolders = run("experiment", "shortcuts", "--epochs", "1", "--resume", tmp.resolve("a").toString(),
                "--output", tmp.resolve("b").toString());
        assertThat(twoFolders.code()).isEqualTo(2);
        assertThat(twoFolders.err()).contains("name different folders");
        CliTest.Result noFolder = run("experiment", "shortcuts", "--epochs", "1", "--resume");
        assertThat(noFolder.code()).isEqualTo(2);
        assertThat(noFolder.err()).contains("--resume needs the experiment folder: --resume RUN_DIR");
        CliTest.Result none = run("experiment");
        assertThat(none.code()).isEqualTo(2);
        assertThat(none.err()).contains("name an experiment");
    }
}
