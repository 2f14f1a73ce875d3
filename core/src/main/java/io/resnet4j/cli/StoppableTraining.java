package io.resnet4j.cli;

import io.resnet4j.train.RunJson;
import io.resnet4j.train.StopSignals;
import io.resnet4j.train.Trainer;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Predicate;

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
        Ended<Trainer.Outcome> e = run(StopSignals.training(trainer::requestStop, record), () -> trainer.run(resume),
                Trainer.Outcome::completed, graceSeconds);
        return new Result(e.outcome(), e.exitCode());
    }

    /** How any training loop ended, and the exit code that says so. */
    record Ended<T>(T outcome, int exitCode) {}

    /**
     * Any training loop under the signals: {@code job} asks it to stop after its step and records a
     * forced stop; {@code completed} tells a finished outcome from a stopped one.
     */
    static <T> Ended<T> run(StopSignals.Job job, Callable<T> training, Predicate<T> completed, int graceSeconds)
            throws Exception {
        try (StopSignals signals = StopSignals.install(Duration.ofSeconds(graceSeconds), job,
                m -> System.err.println("\nresnet4j: " + m))) {
            T o = training.call();
            return new Ended<>(o, completed.test(o) ? 0 : signals.exitCode());
        }
    }
}
