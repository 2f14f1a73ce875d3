package io.resnet4j.cli;

import io.resnet4j.detection.train.DetectionTrainingListener;
import io.resnet4j.detection.train.DetectorTrainStep;
import io.resnet4j.io.PrintableText;
import io.resnet4j.train.ProgressReporter;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A detector run's progress on stderr: one line per metrics row (step, learning rate, the four losses
 * and their sum, the held-out mAP@0.5 when scored, images/s, time left), evaluation progress, and one
 * warning per image that could not be read.
 */
final class DetectionProgress implements DetectionTrainingListener {

    private final PrintWriter err;
    private final long total;
    private long startIteration;
    private long startNanos;
    private long lastLineNanos;
    private static final long QUIET_NANOS = 10_000_000_000L;

    DetectionProgress(PrintWriter err, long total) {
        this.err = err;
        this.total = total;
    }

    @Override
    public void onStart(io.resnet4j.detection.train.DetectionTrainConfig config, long start, int batchesPerEpoch) {
        startIteration = start;
        startNanos = System.nanoTime();
        lastLineNanos = startNanos;
        if (start > 0) {
            err.printf(Locale.ROOT, "resuming at iteration %d of %d%n", start, total);
            err.flush();
        }
    }

    /** Early steps, and at least one line every 10 s between metrics rows (a step can take seconds). */
    @Override
    public void onStep(long iteration, float learningRate, DetectorTrainStep.Losses l) {
        long done = iteration - startIteration;
        boolean early = done == 1 || done == 2 || done == 5;
        if (!early && System.nanoTime() - lastLineNanos < QUIET_NANOS || l == null) {
            return;
        }
        double elapsed = (System.nanoTime() - startNanos) / 1e9;
        long left = (long) (elapsed / done * (total - iteration));
        err.printf(Locale.ROOT, "iter %d/%d lr %.3g loss %.3f eta %s%n", iteration, total, learningRate, l.total(),
                ProgressReporter.duration(left));
        err.flush();
        lastLineNanos = System.nanoTime();
    }

    @Override
    public void onMetrics(Metrics m) {
        lastLineNanos = System.nanoTime();
        DetectorTrainStep.Losses l = m.losses();
        String losses = l == null ? "untrained" : String.format(Locale.ROOT,
                "loss %.3f (objectness %.3f, rpn box %.3f, classifier %.3f, box %.3f)", l.total(), l.objectness(),
                l.rpnBoxRegression(), l.classifier(), l.boxRegression());
        String map = Double.isNaN(m.map50()) ? "" : String.format(Locale.ROOT, " held-out mAP@0.5 %.2f%%", 100 * m.map50());
        double elapsed = (System.nanoTime() - startNanos) / 1e9;
        long done = m.iteration() - startIteration;
        long left = done > 0 ? (long) (elapsed / done * (total - m.iteration())) : 0;
        err.printf(Locale.ROOT, "iter %d/%d ep %d lr %.3g %s%s%s eta %s%n", m.iteration(), total, m.epoch(),
                m.learningRate(), losses, map, Double.isNaN(m.imagesPerSecond()) ? ""
                        : String.format(Locale.ROOT, " %.2f img/s", m.imagesPerSecond()),
                ProgressReporter.duration(left));
        err.flush();
    }

    @Override
    public void onEvaluating(int done, int total) {
        if (total >= ImageProgress.PROGRESS_THRESHOLD && (done % 10 == 0 || done == total)) {
            err.print("\revaluating: " + done + "/" + total + " images" + (done == total ? "\n" : ""));
            err.flush();
        }
    }

    @Override
    public void onSkipped(Path image, String reason) {
        err.println(PrintableText.of("resnet4j: warning: skipped " + image + ": " + reason));
        err.flush();
    }
}
