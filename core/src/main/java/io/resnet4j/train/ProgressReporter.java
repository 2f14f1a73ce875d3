package io.resnet4j.train;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A progress line on stderr: iteration, epoch, loss, error, learning rate, images/s and time
 * left. On a terminal it redraws in place a few times a second; otherwise (CI, a log file) it
 * prints one line per metrics row, and between rows a line at the first iterations (1, 2, 5, 10,
 * 20, 50, ...) and whenever {@link #QUIET_SECONDS} have passed without one, so a log shows at once
 * that training runs and never goes quiet for long. After the first {@link #ESTIMATE_AFTER}
 * iterations it states the estimated time of the whole run, measured on those.
 */
public final class ProgressReporter implements TrainingListener {

    /** Without a terminal, the longest stretch without a line. */
    public static final int QUIET_SECONDS = 10;
    /** Iterations measured before the run's time is estimated. */
    public static final int ESTIMATE_AFTER = 10;

    private static final long QUIET_NANOS = QUIET_SECONDS * 1_000_000_000L;
    private static final long REDRAW_NANOS = 250_000_000L;

    private final PrintStream err;
    private final boolean interactive;
    private final String label;
    private final LongSupplier clock;
    private long laterIterations;
    private String job;
    private long total;
    private int batchSize = 1;
    private int logEvery = Integer.MAX_VALUE;
    private long startIteration;
    private long startNanos;
    private long lastDraw;
    private long lastLine;
    private double emaLoss = Double.NaN;
    private double emaError = Double.NaN;

    public ProgressReporter(PrintStream err, boolean interactive, String label) {
        this(err, interactive, label, System::nanoTime);
    }

    /** @param clock nanoseconds, as {@link System#nanoTime()} (tests pass their own) */
    ProgressReporter(PrintStream err, boolean interactive, String label, LongSupplier clock) {
        this.err = err;
        this.interactive = interactive;
        this.label = label;
        this.clock = clock;
    }

    /**
     * Makes the time left cover a whole job of several runs (a demo, an experiment): {@code iterations}
     * more follow this run, assumed to go at this run's pace.
     *
     * @param job what the estimate then covers, e.g. "demo"
     */
    public ProgressReporter followedBy(long iterations, String job) {
        this.laterIterations = iterations;
        this.job = iterations > 0 ? job : null;
        return this;
    }

    @Override
    public void onStart(TrainConfig config, long start, int batchesPerEpoch) {
        total = config.iterations();
        batchSize = config.batchSize();
        logEvery = config.logEvery();
        startIteration = start;
        startNanos = clock.getAsLong();
        lastLine = startNanos;
        if (start > 0) {
            err.printf(Locale.ROOT, "%sresuming at iteration %d of %d%n", prefix(), start, total);
        }
    }

    private String prefix() {
        return label == null ? "" : label + ": ";
    }

    @Override
    public void onStep(long iteration, int epoch, float lr, TrainStep.Result r) {
        double err1 = (double) r.errors() / r.batchSize();
        emaLoss = Double.isNaN(emaLoss) ? r.loss() : 0.95 * emaLoss + 0.05 * r.loss();
        emaError = Double.isNaN(emaError) ? err1 : 0.95 * emaError + 0.05 * err1;
        long now = clock.getAsLong();
        long done = iteration - startIteration;
        if (interactive && (now - lastDraw > REDRAW_NANOS || iteration == total)) {
            lastDraw = now;
            err.print("\r" + line(iteration, epoch + 1, lr, emaLoss, emaError, Double.NaN) + "   ");
        } else if (!interactive && iteration % logEvery != 0 && (isLandmark(done) || now - lastLine >= QUIET_NANOS)) {
            lastLine = now;
            err.println(line(iteration, epoch + 1, lr, emaLoss, emaError, Double.NaN));
        }
        if (done == ESTIMATE_AFTER && total - iteration > ESTIMATE_AFTER) {
            err.print((interactive ? "\r" : "") + estimate(now) + (interactive ? "   \n" : "\n"));
        }
        err.flush();
    }

    /** 1, 2, 5, 10, 20, 50, 100, ...: dense at the start, where a user waits to see that it runs. */
    static boolean isLandmark(long n) {
        if (n < 1) {
            return false;
        }
        long scale = 1;
        while (n >= 10 * scale) {
            scale *= 10;
        }
        return n == scale || n == 2 * scale || n == 5 * scale;
    }

    private String estimate(long now) {
        double perIter = (now - startNanos) / 1e9 / ESTIMATE_AFTER;
        long left = total - startIteration;
        String whole = job == null ? ""
                : ", " + duration((long) (perIter * (left + laterIterations))) + " for the whole " + job;
        return String.format(Locale.ROOT, "%sestimated time: %s for %,d iterations (%.2f s each over the first %d)%s",
                prefix(), duration((long) (perIter * left)), left, perIter, ESTIMATE_AFTER, whole);
    }

    @Override
    public void onMetrics(Metrics m) {
        if (interactive) {
            if (!Double.isNaN(m.valError())) {
                err.print("\r" + line(m.iteration(), m.epoch(), m.learningRate(), m.trainLoss(), m.trainError(), m.valError())
                        + "   \n");
            }
        } else {
            lastLine = clock.getAsLong();
            err.println(line(m.iteration(), m.epoch(), m.learningRate(), m.trainLoss(), m.trainError(), m.valError()));
        }
        err.flush();
    }

    private String line(long iteration, int epoch, float lr, double loss, double error, double valError) {
        double elapsed = (clock.getAsLong() - startNanos) / 1e9;
        long done = iteration - startIteration;
        double perIter = done > 0 ? elapsed / done : 0;
        long left = (long) (perIter * (total - iteration + laterIterations));
        int width = 20;
        int filled = (int) (width * iteration / Math.max(1, total));
        String bar = "#".repeat(filled) + ".".repeat(width - filled);
        String val = Double.isNaN(valError) ? "" : String.format(Locale.ROOT, " val %.2f%%", 100 * valError);
        return String.format(Locale.ROOT, "%s[%s] iter %d/%d ep %d lr %s loss %.3f err %.2f%%%s %.0f img/s eta %s%s",
                prefix(), bar, iteration, total, epoch, LearningRateSchedule.format(lr), loss, 100 * error, val,
                perIter > 0 ? batchSize / perIter : 0, duration(left), job == null ? "" : " (whole " + job + ")");
    }

    public static String duration(long seconds) {
        return String.format(Locale.ROOT, "%d:%02d:%02d", seconds / 3600, (seconds / 60) % 60, seconds % 60);
    }

    @Override
    public void onEnd(Trainer.Outcome o) {
        if (interactive) {
            err.println();
        }
    }
}
