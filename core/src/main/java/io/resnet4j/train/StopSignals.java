package io.resnet4j.train;

import com.sun.jna.Function;
import com.sun.jna.Pointer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import sun.misc.SignalHandler;

/**
 * Stops a long job cleanly when a scheduler, a container runtime or a user asks it to: SIGTERM
 * ({@code docker stop}, Kubernetes, systemd, Slurm's preemption), SIGINT (Ctrl-C) and SIGHUP (a
 * closed terminal). The first signal asks the job to stop at its next safe point (a training run:
 * after the current step, with a complete checkpoint); a second signal, or the grace period
 * running out, ends the process at once with exit code 128 + signal, after the job has recorded
 * what is true at that moment. Whatever it was writing then is a temporary file, so the previous
 * complete checkpoint stays valid.
 *
 * <p>A process started in the background by a shell inherits SIGINT as ignored, and the JVM
 * keeps an inherited "ignore" for the signals it would otherwise handle: {@code Signal.handle}
 * then returns SIG_IGN and installs nothing. SIGINT and SIGTERM are stop requests whoever sends
 * them, so their disposition is reset to the default first (libc {@code signal}, through JNA,
 * which DJL already loads) and the handler installed then. An ignored SIGHUP is left ignored:
 * that is what {@code nohup} asks for.
 *
 * <pre>{@code
 * try (StopSignals signals = StopSignals.install(Duration.ofSeconds(20), StopSignals.training(trainer::requestStop, runJson),
 *         System.err::println)) {
 *     Trainer.Outcome o = trainer.run(resume);
 *     return o.completed() ? 0 : signals.exitCode();
 * }
 * }</pre>
 */
public final class StopSignals implements AutoCloseable {

    /** A signal that asked the job to stop. */
    public record Stop(String name, int number) {
        /** The shell's convention for a process ended by a signal. */
        public int exitCode() {
            return 128 + number;
        }

        @Override
        public String toString() {
            return "SIG" + name;
        }
    }

    /** What a stop request does to the job. */
    public interface Job {
        /** The first signal: stop at the next safe point. Runs on the JVM's signal thread, so it must return at once. */
        void stop(Stop signal);

        /** The process halts as soon as this returns: record what is true now (which checkpoint is complete). */
        default void halting(String reason) {}
    }

    private static final List<String> HANDLED = List.of("TERM", "INT", "HUP");
    /** Signals that stop the job even when the process inherited them as ignored. */
    private static final List<String> UNIGNORED = List.of("TERM", "INT");

    private final Duration grace;
    private final Job job;
    private final Consumer<String> say;
    private final IntConsumer halt;
    private final AtomicReference<Stop> received = new AtomicReference<>();
    private final CountDownLatch closed = new CountDownLatch(1);
    private final List<Restore> installed = new ArrayList<>();

    private record Restore(sun.misc.Signal signal, SignalHandler previous) {}

    StopSignals(Duration grace, Job job, Consumer<String> say, IntConsumer halt) {
        if (grace.isNegative()) {
            throw new IllegalArgumentException("the grace period " + grace + " must not be negative");
        }
        this.grace = grace;
        this.job = job;
        this.say = say;
        this.halt = halt;
    }

    /**
     * Installs the handlers until {@link #close()}.
     *
     * @param grace how long the job may take to stop after the first signal
     * @param say where the messages about signals go (one line each, e.g. {@code System.err::println})
     */
    public static StopSignals install(Duration grace, Job job, Consumer<String> say) {
        StopSignals s = new StopSignals(grace, job, say, Runtime.getRuntime()::halt);
        HANDLED.forEach(s::handle);
        return s;
    }

    /**
     * A training run of any model: the first signal asks it to stop after the current step with a
     * checkpoint ({@code requestStop} gets the signal's name as the reason); a forced stop is recorded
     * in run.json.
     */
    public static Job training(Consumer<String> requestStop, RunJson record) {
        return new Job() {
            @Override
            public void stop(Stop signal) {
                requestStop.accept(signal.toString());
            }

            @Override
            public void halting(String reason) {
                if (record != null) {
                    record.forcedStop(reason);
                }
            }
        };
    }

    private void handle(String name) {
        sun.misc.Signal signal;
        try {
            signal = new sun.misc.Signal(name);
        } catch (IllegalArgumentException e) {
            return; // not a signal of this operating system (SIGHUP on Windows)
        }
        SignalHandler handler = s -> deliver(new Stop(name, s.getNumber()));
        SignalHandler previous = sun.misc.Signal.handle(signal, handler);
        if (previous == SignalHandler.SIG_IGN) {
            if (!UNIGNORED.contains(name) || !resetToDefault(signal)) {
                sun.misc.Signal.handle(signal, SignalHandler.SIG_IGN);
                return;
            }
            sun.misc.Signal.handle(signal, handler);
        }
        installed.add(new Restore(signal, previous));
    }

    /** The JVM installs no handler for a signal ignored at startup; the default disposition lets it. */
    private boolean resetToDefault(sun.misc.Signal signal) {
        try {
            Function.getFunction("c", "signal").invokeLong(new Object[] {signal.getNumber(), Pointer.NULL});
            return true;
        } catch (RuntimeException | LinkageError e) {
            say.accept("SIG" + signal.getName() + " was inherited as ignored and cannot be caught here (" + e.getMessage()
                    + "); stop this process with SIGTERM to get a checkpoint");
            return false;
        }
    }

    /** What a signal does: the first asks the job to stop within the grace period, a second halts. */
    void deliver(Stop signal) {
        if (closed.getCount() == 0) {
            return;
        }
        if (!received.compareAndSet(null, signal)) {
            force(signal, signal + " again: stopped at once, without finishing");
            return;
        }
        say.accept(signal + ": stopping cleanly within " + grace.toSeconds() + " s (" + signal
                + " again stops at once)");
        job.stop(signal);
        Thread watchdog = new Thread(() -> awaitStop(signal), "resnet4j-grace-period");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    private void awaitStop(Stop signal) {
        try {
            if (!closed.await(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                force(signal, signal + ": not stopped within the grace period of " + grace.toSeconds()
                        + " s, so stopped at once; what was being written is discarded");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void force(Stop signal, String reason) {
        say.accept(reason);
        try {
            job.halting(reason);
        } finally {
            halt.accept(signal.exitCode());
        }
    }

    /** The signal that stopped the job, if one did. */
    public Optional<Stop> received() {
        return Optional.ofNullable(received.get());
    }

    /** 128 + the signal that stopped the job, or 0 when none did. */
    public int exitCode() {
        return received().map(Stop::exitCode).orElse(0);
    }

    /** Restores the previous handlers; a stop in progress is complete, so its grace period ends too. */
    @Override
    public void close() {
        closed.countDown();
        for (Restore r : installed) {
            sun.misc.Signal.handle(r.signal(), r.previous());
        }
        installed.clear();
    }
}
