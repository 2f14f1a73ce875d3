package io.resnet4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.resnet4j.ChildJvm;
import io.resnet4j.WeightsDiff;
import io.resnet4j.data.CifarSample;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training as a scheduler stops it: a real {@code resnet4j train} process (ResNet-20, 16 iterations
 * of 16 sample images) receives SIGTERM, SIGINT inherited as ignored, or SIGKILL at random moments,
 * during a checkpoint write, twice before its first checkpoint, or with a grace period too short for
 * its checkpoint; every folder then resumes (from another working directory) and ends with the
 * weights of an uninterrupted run, to 1e-5.
 */
@Tag("slow")
class RunSignalsProcessTest {

    private static final String MAIN = Main.class.getName();
    private static final String DELAY = "-Dresnet4j.test.checkpointDelayMillis=";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;
    private static Path data;
    private static Path reference;
    private static final long SEED = System.nanoTime();
    private static final Random RANDOM = new Random(SEED);
    private static int trials;

    @BeforeAll
    static void uninterruptedRun() throws Exception {
        data = CifarSample.extractTo(tmp.resolve("data"));
        reference = tmp.resolve("reference");
        try (ChildJvm c = train(reference, List.of(), List.of())) {
            assertThat(c.waitFor(600)).as(c.toString()).isZero();
        }
    }

    /** A training child in its own working directory, given the data as a relative path. */
    private static ChildJvm train(Path run, List<String> ignored, List<String> jvmOptions, String... extra) throws Exception {
        Path cwd = Files.createDirectories(tmp.resolve("cwd-" + run.getFileName()));
        List<String> args = new ArrayList<>(List.of("train", "--data", cwd.relativize(data).toString(), "--model",
                "resnet20", "--iterations", "16", "--batch-size", "16", "--log-every", "2", "--threads", "1",
                "--workers", "1", "--output", run.toString()));
        args.addAll(List.of(extra));
        if (!args.contains("--checkpoint-every")) {
            args.addAll(List.of("--checkpoint-every", "4"));
        }
        return ChildJvm.start(cwd, ignored, jvmOptions, MAIN, args);
    }

    private static Path nextRun(String kind) {
        return tmp.resolve(kind + "-" + (++trials));
    }

    @Test
    void sigtermAtRandomMomentsCheckpointsAndResumesExactly() throws Exception {
        for (int i = 0; i < 3; i++) {
            stopAtRandomAndResume("TERM", List.of(), 143);
        }
    }

    @Test
    void sigintInheritedAsIgnoredCheckpointsAndResumesExactly() throws Exception {
        for (int i = 0; i < 3; i++) {
            stopAtRandomAndResume("INT", List.of("INT"), 130);
        }
    }

    @Test
    void sigkillAtRandomMomentsResumesFromTheNewestCompleteCheckpoint() throws Exception {
        for (int i = 0; i < 3; i++) {
            stopAtRandomAndResume("KILL", List.of(), 137);
        }
    }

    private void stopAtRandomAndResume(String signal, List<String> ignored, int exitCode) throws Exception {
        Path run = nextRun(signal);
        // A random moment of the training: after the metrics row of a random iteration, plus up to 0.3 s.
        int row = 2 * (1 + RANDOM.nextInt(6));
        long delay = RANDOM.nextInt(300);
        try (ChildJvm c = train(run, ignored, List.of())) {
            awaitMetricsRow(run, row, c);
            Thread.sleep(delay);
            c.signal(signal); // too late when the run has just finished: then it exits 0
            int code = c.waitFor(600);
            String context = signal + " " + delay + " ms after iteration " + row + " (seed " + SEED + ")\n" + c;
            JsonNode json = runJson(run);
            System.out.printf("%s %d ms after iteration %d: exit %d, %s at iteration %s%n", signal, delay, row, code,
                    json.get("status").asText(), json.path("stop").path("iteration").asText(
                            json.path("last_checkpoint").path("iteration").asText("?")));
            if (code == 0) { // the run finished before the signal came
                assertThat(json.get("status").asText()).as(context).isEqualTo("completed");
            } else {
                assertThat(code).as(context).isEqualTo(exitCode);
                assertStoppedCleanlyOrKilled(signal, run, json, c.err(), context);
            }
        }
        resumeAndCompare(run, signal.equals("KILL") ? "ended without recording why" : "SIG" + signal);
    }

    private static void assertStoppedCleanlyOrKilled(String signal, Path run, JsonNode json, String err,
            String context) {
        if (signal.equals("KILL")) {
            assertThat(json.get("status").asText()).as(context).isEqualTo("running");
            return;
        }
        assertThat(err).as(context).contains("SIG" + signal + ": stopping cleanly");
        assertThat(json.get("status").asText()).as(context).isEqualTo("interrupted");
        assertThat(json.get("stop").get("reason").asText()).as(context).isEqualTo("SIG" + signal);
        assertThat(json.get("resume_command").asText()).as(context).isEqualTo("bin/resnet4j train --resume " + run);
        long at = json.get("stop").get("iteration").asLong();
        assertThat(run.resolve(String.format("checkpoints/iter-%07d.state.safetensors", at))).as(context).exists();
    }

    @Test
    void sigkillDuringACheckpointWriteLeavesThePreviousCheckpointValid() throws Exception {
        for (int k : new int[] {1, 2 + RANDOM.nextInt(2)}) {
            Path run = nextRun("KILL-in-checkpoint");
            Path torn;
            try (ChildJvm c = train(run, List.of(), List.of(DELAY + 1500))) {
                torn = awaitCheckpointInProgress(run, k, c);
                c.signal("KILL");
                assertThat(c.waitFor(60)).isEqualTo(137);
            }
            String context = "killed while writing " + torn + " (seed " + SEED + ")";
            assertThat(torn).as(context).exists();
            assertThat(Path.of(torn.toString().replace(".safetensors", ".state.safetensors"))).as(context)
                    .doesNotExist();
            String from = k == 1 ? "from iteration 0" : "from its checkpoint at iteration " + 4 * (k - 1);
            assertThat(resumeAndCompare(run, "ended without recording why")).as(context).contains(from);
        }
    }

    /** Waits for the k-th checkpoint's weights to be written while its state is not: the write is in progress. */
    private static Path awaitCheckpointInProgress(Path run, int k, ChildJvm c) throws Exception {
        Path weights = run.resolve(String.format("checkpoints/iter-%07d.safetensors", 4 * k));
        Path state = run.resolve(String.format("checkpoints/iter-%07d.state.safetensors", 4 * k));
        long deadline = System.currentTimeMillis() + 600_000;
        while (!(Files.exists(weights) && !Files.exists(state))) {
            assertThat(System.currentTimeMillis()).as(c.toString()).isLessThan(deadline);
            assertThat(c.isAlive()).as(c.toString()).isTrue();
            Thread.sleep(10);
        }
        return weights;
    }

    /** Issue 13's "double Ctrl-C early": the second SIGINT comes while the first checkpoint is being written. */
    @Test
    void aSecondSigintBeforeTheFirstCheckpointIsRecordedAndTheRunRestartsFromZero() throws Exception {
        Path run = nextRun("INT-twice");
        try (ChildJvm c = train(run, List.of("INT"), List.of(DELAY + 3000), "--checkpoint-every", "1000")) {
            awaitFile(run.resolve("run.json"), c);
            c.signal("INT");
            awaitErr(c, "SIGINT: stopping cleanly");
            Thread.sleep(300);
            c.signal("INT");
            assertThat(c.waitFor(60)).as(c.toString()).isEqualTo(130);
            assertThat(c.err()).contains("SIGINT again: stopped at once");
        }
        JsonNode json = runJson(run);
        assertThat(json.get("status").asText()).isEqualTo("interrupted");
        assertThat(json.get("stop").get("resumes_from").asLong()).isZero();
        assertThat(json.get("stop").get("note").asText()).contains("before its first checkpoint");
        assertThat(resumeAndCompare(run, "interrupted: SIGINT again")).contains("from iteration 0");
    }

    @Test
    void aCheckpointThatMissesTheGracePeriodLeavesThePreviousOneValid() throws Exception {
        Path run = nextRun("TERM-grace");
        try (ChildJvm c = train(run, List.of(), List.of(DELAY + 4000), "--grace-seconds", "1")) {
            awaitFile(run.resolve("checkpoints/iter-0000004.state.safetensors"), c);
            long start = System.nanoTime();
            c.signal("TERM");
            assertThat(c.waitFor(60)).as(c.toString()).isEqualTo(143);
            assertThat((System.nanoTime() - start) / 1e9).as("halted after the 1 s grace period, not after the 4 s"
                    + " checkpoint").isLessThan(3.9);
            assertThat(c.err()).contains("not stopped within the grace period of 1 s");
        }
        JsonNode json = runJson(run);
        assertThat(json.get("status").asText()).isEqualTo("interrupted");
        assertThat(json.get("stop").get("resumes_from").asLong()).isEqualTo(4);
        assertThat(resumeAndCompare(run, "grace period")).contains("from its checkpoint at iteration 4");
    }

    @Test
    void aKillBeforeTrainingStartsLeavesAFolderThatRefusesToResumeClearly() throws Exception {
        Path run = nextRun("KILL-at-start");
        try (ChildJvm c = train(run, List.of(), List.of())) {
            Thread.sleep(100);
            c.signal("KILL");
            c.waitFor(60);
        }
        if (Files.exists(run.resolve("run.json"))) {
            resumeAndCompare(run, "ended without recording why");
            return;
        }
        try (ChildJvm r = ChildJvm.start(tmp, List.of(), List.of(), MAIN, List.of("train", "--resume", run.toString()))) {
            assertThat(r.waitFor(120)).as(r.toString()).isEqualTo(2);
            assertThat(r.err()).contains("is not a resnet4j run folder: it has no run.json");
        }
    }

    /** Resumes from another working directory with the command the run recorded; returns what it printed. */
    private String resumeAndCompare(Path run, String howItEnded) throws Exception {
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        String out;
        try (ChildJvm r = ChildJvm.start(elsewhere, List.of(), List.of(), MAIN,
                List.of("train", "--resume", run.toString()))) {
            assertThat(r.waitFor(600)).as(r.toString()).isZero();
            out = r.out();
        }
        if (!out.contains("nothing to do")) {
            assertThat(out).contains(howItEnded).contains("finished at iteration 16");
        }
        assertThat(runJson(run).get("status").asText()).isEqualTo("completed");
        assertThat(WeightsDiff.max(reference.resolve("model.safetensors"), run.resolve("model.safetensors")))
                .as(run + " (seed " + SEED + ")").isLessThanOrEqualTo(1e-5f);
        try (Stream<Path> files = Files.list(run.resolve("checkpoints"))) {
            assertThat(files.map(p -> p.getFileName().toString())).as("no torn or temporary file is left")
                    .allMatch(n -> n.endsWith(".safetensors") && !n.startsWith("."));
        }
        return out;
    }

    private static JsonNode runJson(Path run) throws Exception {
        return JSON.readTree(run.resolve("run.json").toFile());
    }

    private static void awaitFile(Path file, ChildJvm c) throws Exception {
        long deadline = System.currentTimeMillis() + 600_000;
        while (!Files.exists(file)) {
            assertThat(c.isAlive()).as(c.toString()).isTrue();
            assertThat(System.currentTimeMillis()).as(c.toString()).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    private static void awaitMetricsRow(Path run, int iteration, ChildJvm c) throws Exception {
        Path metrics = run.resolve("metrics.csv");
        long deadline = System.currentTimeMillis() + 600_000;
        while (!Files.exists(metrics) || Files.readAllLines(metrics).stream().noneMatch(l -> l.startsWith(iteration + ","))) {
            assertThat(c.isAlive()).as(c.toString()).isTrue();
            assertThat(System.currentTimeMillis()).as(c.toString()).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    private static void awaitErr(ChildJvm c, String text) throws Exception {
        long deadline = System.currentTimeMillis() + 600_000;
        while (!c.err().contains(text)) {
            assertThat(c.isAlive()).as(c.toString()).isTrue();
            assertThat(System.currentTimeMillis()).as(c.toString()).isLessThan(deadline);
            Thread.sleep(10);
        }
    }
}
