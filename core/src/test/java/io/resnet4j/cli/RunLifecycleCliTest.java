package io.resnet4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.resnet4j.data.Cifar10;
import io.resnet4j.data.CifarData;
import io.resnet4j.data.CifarSample;
import io.resnet4j.data.Split;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The run lifecycle of {@code train --resume}, in-process on the embedded sample: a finished run is
 * left alone, data paths are absolute, options that cannot change are refused and those that may
 * are recorded, and a run that died before its first checkpoint starts again from iteration 0.
 */
class RunLifecycleCliTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path shared;
    static Path archive;

    @BeforeAll
    static void smallData() throws Exception {
        archive = tinyCifar(shared.resolve("data"));
    }

    /** A CIFAR-10 folder of 640 sample images (train45k: 576, val5k: 64), so that each run takes a moment. */
    static Path tinyCifar(Path dir) throws Exception {
        CifarData sample = CifarSample.load(Split.TRAIN);
        int n = 640;
        byte[] records = new byte[n * Cifar10.RECORD_SIZE];
        for (int i = 0; i < n; i++) {
            records[i * Cifar10.RECORD_SIZE] = sample.labels()[i];
            System.arraycopy(sample.pixels(), i * CifarData.IMAGE_SIZE, records, i * Cifar10.RECORD_SIZE + 1,
                    CifarData.IMAGE_SIZE);
        }
        Files.createDirectories(dir);
        Files.write(dir.resolve("data_batch_1.bin"), records);
        return dir;
    }

    /** ResNet-20 on the sample: 6 iterations of 32 (unless {@code extra} says otherwise), checkpoints and metrics every 2. */
    static String[] train(Path data, Path run, String... extra) {
        List<String> args = new ArrayList<>(List.of("train", "--data", data.toString(), "--model", "resnet20",
                "--batch-size", "32", "--log-every", "2", "--checkpoint-every", "2", "--output", run.toString()));
        args.addAll(List.of(extra));
        if (!args.contains("--iterations")) {
            args.addAll(List.of("--iterations", "6"));
        }
        return args.toArray(String[]::new);
    }

    static String[] resume(Path run, String... extra) {
        List<String> args = new ArrayList<>(List.of("train", "--resume", run.toString()));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    static CliTest.Result ok(String... args) {
        CliTest.Result r = CliTest.run(args);
        assertThat(r.code()).as(r.err()).isZero();
        return r;
    }

    static JsonNode runJson(Path run) throws Exception {
        return JSON.readTree(run.resolve("run.json").toFile());
    }

    @Test
    void aFinishedRunSaysSoChangesNothingAndContinuesOnlyWhenAskedForMore(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("run");
        ok(train(archive, run, "--iterations", "4"));
        Map<String, String> before = contents(run);
        JsonNode finished = runJson(run);
        String started = finished.get("timings").get("started").asText();

        CliTest.Result again = ok(resume(run));
        assertThat(again.out()).contains("finished at iteration 4 of 4: train error ").contains("validation error ")
                .contains("nothing to do").contains("--iterations").doesNotContain("NaN");
        assertThat(contents(run)).as("every file of the run, byte for byte").isEqualTo(before);

        CliTest.Result fewer = CliTest.run(resume(run, "--iterations", "3"));
        assertThat(fewer.code()).isEqualTo(2);
        assertThat(fewer.err()).contains("--iterations 3 asks for 3 iterations but").contains("has done 4");

        CliTest.Result more = ok(resume(run, "--iterations", "6"));
        assertThat(more.out()).contains("at iteration 4 of 6").contains("changed: iterations")
                .contains("finished at iteration 6");
        JsonNode json = runJson(run);
        assertThat(json.get("status").asText()).isEqualTo("completed");
        assertThat(json.get("config").get("iterations").asLong()).isEqualTo(6);
        assertThat(json.get("timings").get("started").asText()).isEqualTo(started);
        assertThat(json.get("final").get("iteration").asLong()).isEqualTo(6);
        assertThat(json.get("final").get("train_error").isNumber()).isTrue();
        JsonNode resumption = json.get("resumptions").get(0);
        assertThat(resumption.get("iteration").asLong()).isEqualTo(4);
        assertThat(resumption.get("previous_end").asText()).isEqualTo("completed");
        assertThat(resumption.get("changed").get("iterations").get("from").asLong()).isEqualTo(4);
        assertThat(resumption.get("changed").get("iterations").get("to").asLong()).isEqualTo(6);
        // The schedule stays as recorded: a longer budget does not move the drops of the first one.
        assertThat(json.get("config").get("milestones")).isEqualTo(finished.get("config").get("milestones"));
        assertThat(metricsIterations(run)).containsExactly("2", "4", "6");
    }

    @Test
    void dataPathsAreAbsoluteAndResumeKeepsToTheRunsOwnData(@TempDir Path tmp) throws Exception {
        Path data = tinyCifar(tmp.resolve("data"));
        Path relative = Path.of("").toAbsolutePath().relativize(data);
        Path run = tmp.resolve("run");
        CliTest.Result first = ok(train(relative, run, "--stop-after", "2"));
        assertThat(first.out()).contains("on " + data.toAbsolutePath().normalize());
        assertThat(first.out()).contains("continue with: bin/resnet4j train --resume " + run.toAbsolutePath());
        assertThat(runJson(run).get("dataset").get("path").asText()).isEqualTo(data.toAbsolutePath().normalize()
                .toString());

        Path copy = tinyCifar(tmp.resolve("copy"));
        CliTest.Result other = CliTest.run(resume(run, "--data", copy.toString()));
        assertThat(other.code()).isEqualTo(2);
        assertThat(other.err()).contains(copy + " is not the data of").contains(data.toString());
        ok(resume(run, "--data", data.resolve("../data").toString(), "--stop-after", "3"));

        Path moved = Files.move(data, tmp.resolve("moved"));
        CliTest.Result gone = CliTest.run(resume(run));
        assertThat(gone.code()).isEqualTo(2);
        assertThat(gone.err()).contains("the run's data " + data + " is gone");
        ok(resume(run, "--data", moved.toString(), "--stop-after", "4"));
        JsonNode json = runJson(run);
        assertThat(json.get("dataset").get("path").asText()).isEqualTo(moved.toString());
        JsonNode change = json.get("resumptions").get(1).get("changed").get("dataset.path");
        assertThat(change.get("from").asText()).isEqualTo(data.toString());
        assertThat(change.get("to").asText()).isEqualTo(moved.toString());
    }

    @Test
    void resumeRefusesWhatDecidesTheResultAndRecordsWhatChanges(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("run");
        ok(train(archive, run, "--stop-after", "2", "--grace-seconds", "9"));
        byte[] recorded = Files.readAllBytes(run.resolve("run.json"));

        CliTest.Result refused = CliTest.run(resume(run, "--model", "resnet56", "--lr", "0.5", "--iterations", "8"));
        assertThat(refused.code()).isEqualTo(2);
        assertThat(refused.err().split("\n")[0]).contains("--model, --lr cannot change when resuming")
                .contains("start a new run with --output");
        assertThat(Files.readAllBytes(run.resolve("run.json"))).isEqualTo(recorded);

        CliTest.Result changed = ok(resume(run, "--checkpoint-every", "3", "--log-every", "3", "--workers", "1",
                "--keep", "1", "--checkpoint-minutes", "5", "--stop-after", "4"));
        assertThat(changed.out()).contains("at iteration 2 of 6")
                .contains("changed: checkpoint_every, checkpoint_minutes, keep_checkpoints, log_every, workers");
        JsonNode json = runJson(run);
        assertThat(json.get("config").get("checkpoint_every").asInt()).isEqualTo(3);
        assertThat(json.get("config").get("workers").asInt()).isEqualTo(1);
        assertThat(json.get("session").get("grace_seconds").asInt()).as("kept from the first session").isEqualTo(9);
        JsonNode resumption = json.get("resumptions").get(0);
        assertThat(Instant.parse(resumption.get("at").asText())).isAfter(Instant.now().minusSeconds(600));
        assertThat(resumption.get("iteration").asLong()).isEqualTo(2);
        assertThat(resumption.get("previous_end").asText()).contains("interrupted: stopped at iteration 2 as asked");
        assertThat(fieldNames(resumption.get("changed"))).containsExactlyInAnyOrder("checkpoint_every",
                "checkpoint_minutes", "keep_checkpoints", "log_every", "workers", "session.stop_after");
        assertThat(resumption.get("changed").get("checkpoint_every").get("from").asInt()).isEqualTo(2);
        assertThat(resumption.get("changed").get("checkpoint_every").get("to").asInt()).isEqualTo(3);
        assertThat(checkpointFiles(run)).as("--keep 1").containsExactly("iter-0000004.safetensors",
                "iter-0000004.state.safetensors");

        ok(resume(run, "--grace-seconds", "5"));
        JsonNode last = runJson(run).get("resumptions").get(1);
        assertThat(fieldNames(last.get("changed"))).containsExactlyInAnyOrder("session.grace_seconds",
                "session.stop_after");
        assertThat(runJson(run).get("status").asText()).isEqualTo("completed");
    }

    @Test
    void aRunThatDiedBeforeItsFirstCheckpointStartsAgainFromIterationZero(@TempDir Path tmp) throws Exception {
        Path reference = tmp.resolve("reference");
        ok(train(archive, reference));
        Path run = tmp.resolve("run");
        ok(train(archive, run, "--stop-after", "1"));
        // What a SIGKILL (or a second Ctrl-C in an earlier version) left: "running" and no checkpoint.
        deleteTree(run.resolve("checkpoints"));
        ObjectNode json = (ObjectNode) runJson(run);
        json.put("status", "running");
        json.remove("stop");
        Files.write(run.resolve("run.json"), JSON.writeValueAsBytes(json));

        CliTest.Result fresh = CliTest.run(train(archive, run));
        assertThat(fresh.code()).isEqualTo(2);
        assertThat(fresh.err()).contains("already holds a run").contains("--resume");

        CliTest.Result resumed = ok(resume(run));
        assertThat(resumed.out()).contains("at iteration 0 of 6 from iteration 0 with its recorded configuration")
                .contains("ended without recording why").contains("finished at iteration 6");
        assertThat(io.resnet4j.WeightsDiff.max(reference.resolve("model.safetensors"), run.resolve("model.safetensors")))
                .isLessThanOrEqualTo(1e-5f);
        assertThat(runJson(run).get("resumptions").get(0).get("iteration").asLong()).isZero();
    }

    static List<String> metricsIterations(Path run) throws Exception {
        return Files.readAllLines(run.resolve("metrics.csv")).stream().skip(1).map(l -> l.split(",")[0]).toList();
    }

    static List<String> checkpointFiles(Path run) throws Exception {
        try (Stream<Path> s = Files.list(run.resolve("checkpoints"))) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static List<String> fieldNames(JsonNode o) {
        List<String> names = new ArrayList<>();
        o.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** The SHA-256 of every file of a run folder (but its lock), by relative path. */
    private static Map<String, String> contents(Path run) throws Exception {
        Map<String, String> m = new java.util.TreeMap<>();
        try (Stream<Path> s = Files.walk(run)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                String name = run.relativize(p).toString();
                if (!name.equals(io.resnet4j.files.RunLock.FILE)) {
                    byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p));
                    m.put(name, java.util.HexFormat.of().formatHex(digest));
                }
            }
        }
        return m;
    }

    static void deleteTree(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** An ImageNet network trains on CIFAR data (the common baseline), with a note on what its stem does at 32x32. */
    @Test
    void anImageNetNetworkTrainsOnCifarWithANote(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("r18");
        List<String> args = new ArrayList<>(List.of(train(archive, run, "--iterations", "2")));
        args.set(args.indexOf("resnet20"), "resnet18");
        CliTest.Result r = CliTest.run(args.toArray(String[]::new));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("note: resnet18 is an ImageNet network (7x7 stride-2 stem and max pooling): on 32x32"
                + " images its last stage sees 1x1 maps; the paper's CIFAR networks are resnet20, resnet32");
        JsonNode record = JSON.readTree(run.resolve("run.json").toFile());
        assertThat(record.path("model").asText()).isEqualTo("resnet18");
        assertThat(record.path("status").asText()).isEqualTo("completed");
        CliTest.Result cifarNet = CliTest.run(train(archive, tmp.resolve("r20"), "--iterations", "2"));
        assertThat(cifarNet.out()).doesNotContain("ImageNet network");
    }
}
