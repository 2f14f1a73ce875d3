package io.resnet4j.cli;

import io.resnet4j.train.RunJson;
import io.resnet4j.train.StopSignals;
import io.resnet4j.train.Trainer;
import java.time.Duration;

/**
 * A training run under {@link StopSignals}, as every training command runs one: SIGTERM, SIGINT
 * or SIGHUP finish the step and write a checkpoint within the grace period, a second signal
 * exits at once; messages go to stderr.
 */
final class StoppableTraining {

    /** The grace period when none is given. */
    static final int DEFAULT_GRACE_SECONDS = 20;

    /** How a run ended and the exit code that says so: 0, or 128 + the signal that stopped it. */
    record Result(Trainer.Outcome outcome, int exitCode) {}

    private StoppableTraining() {}

    static Result run(Trainer trainer, RunJson record, boolean resume, int graceSeconds) throws Exception {
        try (StopSignals signals = StopSignals.install(Duration.ofSeconds(graceSeconds),
                StopSignals.training(trainer, record), m -> System.err.println("\nresnet4j: " + m))) {
            Trainer.Outcome o = trainer.run(resume);
            return new Result(o, o.completed() ? 0 : signals.exitCode());
        }
    }
}
