package io.resnet4j.serve;

import static io.resnet4j.serve.ServeTestData.get;
import static io.resnet4j.serve.ServeTestData.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.resnet4j.inference.ImageClassifier;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The runs dashboard's data: discovery, summaries of half-written files, incremental rows, and no way out of the folder. */
class RunsDashboardTest {

    static Path outside;
    static Path runs;
    static ImageClassifier classifier;
    static InferenceServer server;
    static String base;

    @BeforeAll
    static void start() throws Exception {
        outside = Files.createTempDirectory("resnet4j-runs-test");
        runs = Files.createDirectory(outside.resolve("runs"));
        Path cifar = Files.createDirectories(runs.resolve("cifar/resnet20"));
        Files.writeString(cifar.resolve("run.json"), "{\"model\": \"resnet20\", \"status\": \"running\"}");
        Files.writeString(cifar.resolve("metrics.csv"), String.join("\n",
                "iteration,epoch,lr,train_loss,train_error,val_error,images_per_s",
                "100,0,0.1,2.1,0.80,,410.0",
                "200,0,0.1,1.8,0.65,0.61000,420.5",
                "300,1,0.1,1.5,0.52,0.48000,415.0",
                "400,1,0.1,1.3,0.45,0.50000,430.0",
                "500,1,0.1,1.2,0.4"));  // half written: no newline yet
        Path done = Files.createDirectories(runs.resolve("plain20-done"));
        Files.writeString(done.resolve("run.json"), "{\"model\": \"plain20\", \"status\": \"completed\","
                + " \"final\": {\"iteration\": 64000}, \"timings\": {\"images_per_s\": 399.5}}");
        Path broken = Files.createDirectories(runs.resolve("broken"));
        Files.writeString(broken.resolve("run.json"), "{\"model\": \"resn");  // being rewritten
        Files.writeString(broken.resolve("metrics.csv"), "iteration,epoch\nnot,numbers\n");
        Files.createDirectories(runs.resolve("not-a-run/empty"));
        Path secret = Files.createDirectories(outside.resolve("secret"));
        Files.writeString(secret.resolve("metrics.csv"), "iteration,epoch,lr,train_loss,train_error,val_error,"
                + "images_per_s\n1,0,0.1,9.9,0.99,0.99,1.0\n");
        Files.createSymbolicLink(runs.resolve("link"), secret);
        classifier = ServeTestData.classifier();
        server = InferenceServer.builder().model("m", classifier).port(0).runs(runs).start();
        base = server.url();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (classifier != null) {
            classifier.close();
        }
    }

    @Test
    void listsEveryRunWithWhatItsFilesSay() throws Exception {
        JsonNode body = json(get(base + "v1/runs"));
        assertThat(body.get("folder").asText()).isEqualTo("runs");
        assertThat(body.toString()).doesNotContain(outside.toString());
        List<String> ids = body.get("runs").findValuesAsText("id");
        assertThat(ids).contains("cifar/resnet20", "plain20-done", "broken").doesNotContain("not-a-run",
                "not-a-run/empty", "link", ".");
        JsonNode cifar = run(body, "cifar/resnet20");
        assertThat(cifar.get("model").asText()).isEqualTo("resnet20");
        assertThat(cifar.get("status").asText()).isEqualTo("running");
        assertThat(cifar.get("iteration").asLong()).isEqualTo(400);
        assertThat(cifar.get("bestValError").asDouble()).isEqualTo(0.48);
        assertThat(cifar.get("lastTrainError").asDouble()).isEqualTo(0.45);
        assertThat(cifar.get("imagesPerSecond").asDouble()).isEqualTo(430.0);
        JsonNode done = run(body, "plain20-done");
        assertThat(done.get("status").asText()).isEqualTo("completed");
        assertThat(done.get("iteration").asLong()).isEqualTo(64000);
        assertThat(done.get("imagesPerSecond").asDouble()).isEqualTo(399.5);
        assertThat(done.get("bestValError").isNull()).isTrue();
        JsonNode broken = run(body, "broken");
        assertThat(broken.get("model").isNull()).isTrue();
        assertThat(broken.get("iteration").isNull()).isTrue();
    }

    @Test
    void returnsCompleteRowsFromTheRowAskedFor() throws Exception {
        JsonNode all = json(get(base + "v1/runs/metrics?run=cifar/resnet20"));
        assertThat(all.get("columns").toString()).isEqualTo(
                "[\"iteration\",\"epoch\",\"lr\",\"train_loss\",\"train_error\",\"val_error\",\"images_per_s\"]");
        assertThat(all.get("rows")).hasSize(4);
        assertThat(all.get("rows").get(0).toString()).isEqualTo("[100.0,0.0,0.1,2.1,0.8,null,410.0]");
        assertThat(all.get("next").asInt()).isEqualTo(4);
        JsonNode rest = json(get(base + "v1/runs/metrics?run=cifar%2Fresnet20&from=3"));
        assertThat(rest.get("rows")).hasSize(1);
        assertThat(rest.get("rows").get(0).get(0).asDouble()).isEqualTo(400);
        assertThat(json(get(base + "v1/runs/metrics?run=cifar/resnet20&from=99")).get("rows")).isEmpty();
    }

    @Test
    void seesRowsAppendedAfterTheFirstRead() throws Exception {
        Path dir = Files.createDirectories(runs.resolve("growing"));
        Path csv = dir.resolve("metrics.csv");
        Files.writeString(csv, "iteration,epoch,lr,train_loss,train_error,val_error,images_per_s\n10,0,0.1,2,0.9,,1\n");
        assertThat(json(get(base + "v1/runs/metrics?run=growing")).get("next").asInt()).isEqualTo(1);
        Files.writeString(csv, "20,0,0.1,1.9,0.85,0.8,1\n", java.nio.file.StandardOpenOption.APPEND);
        JsonNode more = json(get(base + "v1/runs/metrics?run=growing&from=1"));
        assertThat(more.get("rows")).hasSize(1);
        assertThat(more.get("rows").get(0).get(5).asDouble()).isEqualTo(0.8);
    }

    @Test
    void neverReadsOutsideTheRunsFolder() throws Exception {
        for (String id : List.of("..", "../secret", "cifar/../../secret", "link", "/etc", "%2e%2e/secret",
                outside.resolve("secret").toString(), "cifar/./resnet20", "not-a-run", "cifar\\..\\..\\secret", "")) {
            var r = get(base + "v1/runs/metrics?run=" + URLEncoder.encode(id, StandardCharsets.UTF_8));
            assertThat(r.statusCode()).as(id).isEqualTo(404);
            assertThat(r.body()).as(id).doesNotContain("9.9").doesNotContain(outside.toString());
        }
        assertThat(get(base + "v1/runs/metrics?run=..%2Fsecret").statusCode()).isEqualTo(404);
        assertThat(get(base + "v1/runs/metrics").statusCode()).isEqualTo(404);
        assertThat(json(get(base + "v1/runs")).get("runs").findValuesAsText("id")).doesNotContain("link");
    }

    @Test
    void parsesOnlyCompleteWellFormedLines() {
        List<Double[]> rows = RunsDirectory.parseRows("iteration,epoch,lr,train_loss,train_error,val_error,images_per_s\n"
                + "1,0,0.1,2.0,0.9,,100\n" + "garbage line\n" + "2,0,0.1,x,0.9,,100\n" + "3,0,0.1,1.0,0.5,0.4,100\n"
                + "4,0,0.1,1.0");
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0)[5]).isNull();
        assertThat(rows.get(1)[0]).isEqualTo(3.0);
        assertThat(RunsDirectory.parseRows("no newline at all")).isEmpty();
    }

    private static JsonNode run(JsonNode body, String id) {
        for (JsonNode r : body.get("runs")) {
            if (r.get("id").asText().equals(id)) {
                return r;
            }
        }
        throw new AssertionError("no run " + id + " in " + body);
    }
}
