package io.resnet4j.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A progress line on stderr: iteration, epoch, loss, error, learning rate, images/s and time
 * left. On a terminal it redraws in place a few times a second; otherwise (CI, a log file) it
 * prints one line per metrics row.
 */
public final class ProgressReporter implements TrainingListener {

    private final PrintStream err;
    private final boolean interactive;
    private final String label;
    private long total;
    private int batchSize = 1;
    private long startIteration;
    private long startNanos;
    private long lastDraw;
    private double emaLoss = Double.NaN;
    private double emaError = Double.NaN;

    public ProgressReporter(PrintStream err, boolean interactive, String label) {
        this.err = err;
        this.interactive = interactive;
        this.label = label;
    }

    @Override
    public void onStart(TrainConfig config, long start, int batchesPerEpoch) {
        total = config.iterations();
        batchSize = config.batchSize();
        startIteration = start;
        startNanos = System.nanoTime();
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
        long now = System.nanoTime();
        if (interactive && (now - lastDraw > 250_000_000L || iteration == total)) {
            lastDraw = now;
            err.print("\r" + line(iteration, epoch + 1, lr, emaLoss, emaError, Double.NaN) + "   ");
            err.flush();
        }
    }

    @Override
    public void onMetrics(Metrics m) {
        if (interactive) {
            if (!Double.isNaN(m.valError())) {
                err.print("\r" + line(m.iteration(), m.epoch(), m.learningRate(), m.trainLoss(), m.trainError(), m.valError())
                        + "   \n");
            }
        } else {
            err.println(line(m.iteration(), m.epoch(), m.learningRate(), m.trainLoss(), m.trainError(), m.valError()));
        }
        err.flush();
    }

    private String line(long iteration, int epoch, float lr, double loss, double error, double valError) {
        double elapsed = (System.nanoTime() - startNanos) / 1e9;
        long done = iteration - startIteration;
        double perIter = done > 0 ? elapsed / done : 0;
        long left = (long) (perIter * (total - iteration));
        int width = 20;
        int filled = (int) (width * iteration / Math.max(1, total));
        String bar = "#".repeat(filled) + ".".repeat(width - filled);
        String val = Double.isNaN(valError) ? "" : String.format(Locale.ROOT, " val %.2f%%", 100 * valError);
        return String.format(Locale.ROOT, "%s[%s] iter %d/%d ep %d lr %.3g loss %.3f err %.2f%%%s %.0f img/s eta %s",
                prefix(), bar, iteration, total, epoch, lr, loss, 100 * error, val,
                perIter > 0 ? batchSize / perIter : 0, duration(left));
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
