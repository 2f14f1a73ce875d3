package io.resnet4j.train;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a stop signal does to a job, with the process's halt replaced by a recorder (the real signals: StopSignalsProcessTest). */
class StopSignalsTest {

    private final List<String> said = new ArrayList<>();
    private final List<String> events = new ArrayList<>();
    private final CompletableFuture<Integer> halted = new CompletableFuture<>();

    private StopSignals signals(Duration grace) {
        StopSignals.Job job = new StopSignals.Job() {
            @Override
            public void stop(StopSignals.Stop signal) {
                events.add("stop " + signal);
            }

            @Override
            public void halting(String reason) {
                events.add("halting " + reason);
            }
        };
        return new StopSignals(grace, job, said::add, halted::complete);
    }

    @Test
    void theFirstSignalAsksTheJobToStopAndTheSecondHaltsAtOnce() {
        StopSignals s = signals(Duration.ofSeconds(30));
        s.deliver(new StopSignals.Stop("INT", 2));
        assertThat(events).containsExactly("stop SIGINT");
        assertThat(s.exitCode()).isEqualTo(130);
        assertThat(halted).isNotDone();
        assertThat(said.get(0)).contains("SIGINT").contains("within 30 s").contains("again stops at once");

        s.deliver(new StopSignals.Stop("TERM", 15));
        assertThat(halted).isCompletedWithValue(143);
        assertThat(events.get(1)).startsWith("halting SIGTERM again: stopped at once");
        s.close();
    }

    @Test
    void aJobThatDoesNotStopWithinTheGracePeriodIsHaltedAfterRecordingIt() throws Exception {
        StopSignals s = signals(Duration.ofMillis(200));
        long start = System.nanoTime();
        s.deliver(new StopSignals.Stop("TERM", 15));
        assertThat(halted.get(10, TimeUnit.SECONDS)).isEqualTo(143);
        assertThat((System.nanoTime() - start) / 1e6).isBetween(150.0, 5000.0);
        assertThat(events).hasSize(2);
        assertThat(events.get(1)).contains("not stopped within the grace period");
        s.close();
    }

    @Test
    void aJobThatStopsInTimeIsNotHaltedAndNoSignalMeansExitCodeZero() throws Exception {
        StopSignals quiet = signals(Duration.ofMillis(100));
        assertThat(quiet.exitCode()).isZero();
        assertThat(quiet.received()).isEmpty();
        quiet.close();

        StopSignals s = signals(Duration.ofMillis(200));
        s.deliver(new StopSignals.Stop("HUP", 1));
        s.close();
        Thread.sleep(500);
        assertThat(halted).isNotDone();
        assertThat(s.exitCode()).isEqualTo(129);
        s.deliver(new StopSignals.Stop("HUP", 1)); // after close: the job has ended, nothing to force
        assertThat(halted).isNotDone();
    }

    /** A second Ctrl-C before the first checkpoint: run.json says so, and where the run resumes from. */
    @Test
    void aForcedStopIsRecordedInRunJson(@TempDir Path run) throws Exception {
        TrainConfig config = TrainerTest.tinyConfig(10);
        RunJson record = new RunJson(run, config, "/data", TrainerTest.randomData(64, 1), null)
                .resumeCommand("bin/resnet4j train --resume " + run);
        record.onStart(config, 0, 2);
        StopSignals.Job job = StopSignals.training(new Trainer(config, TrainerTest.randomData(64, 1), null,
                ai.djl.Device.cpu())::requestStop, record);
        StopSignals s = new StopSignals(Duration.ofSeconds(30), job, said::add, halted::complete);
        s.deliver(new StopSignals.Stop("INT", 2));
        s.deliver(new StopSignals.Stop("INT", 2));
        assertThat(halted).isCompletedWithValue(130);

        JsonNode json = RunJson.read(run);
        assertThat(json.get("status").asText()).isEqualTo("interrupted");
        assertThat(json.get("stop").get("reason").asText()).startsWith("SIGINT again");
        assertThat(json.get("stop").get("resumes_from").asLong()).isZero();
        assertThat(json.get("stop").get("note").asText()).contains("before its first checkpoint");
        assertThat(json.get("resume_command").asText()).isEqualTo("bin/resnet4j train --resume " + run);
        RunState state = RunState.read(run);
        assertThat(state.howItEnded()).startsWith("interrupted: SIGINT again");
        assertThat(state.resumesFrom()).startsWith("iteration 0");

        record.onEnd(new Trainer.Outcome(3, false, 0.5, Double.NaN, null, 1, 1, 0, "SIGINT"));
        assertThat(RunJson.read(run)).as("nothing is written after a forced stop").isEqualTo(json);
        s.close();
    }
}
