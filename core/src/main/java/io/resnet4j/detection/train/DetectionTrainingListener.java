package io.resnet4j.detection.train;

import java.nio.file.Path;

/**
 * Observes a detector's training; the run folder's files, progress lines and plots hang off the loop
 * here. Every method has a no-op default.
 */
public interface DetectionTrainingListener {

    /**
     * One row of metrics.csv: mean losses over the steps since the previous row, and the held-out
     * mAP@0.5 when an evaluation ran at this step.
     *
     * @param epoch the 1-based epoch of the step (0 for the row before the first step)
     * @param losses the mean losses, or null on the row of the evaluation before the first step
     * @param map50 VOC07 mAP@0.5 on the held-out images, or NaN when none ran
     */
    record Metrics(long iteration, int epoch, float learningRate, DetectorTrainStep.Losses losses, double map50,
            double imagesPerSecond) {}

    /** Once, with the step the session starts from (0, or where a resumed run left off). */
    default void onStart(DetectionTrainConfig config, long startIteration, int batchesPerEpoch) {}

    /** After every step. */
    default void onStep(long iteration, float learningRate, DetectorTrainStep.Losses losses) {}

    /** Every {@code logEvery} steps and at every evaluation. */
    default void onMetrics(Metrics metrics) {}

    /** While the held-out images are scored: {@code done} of {@code total}. */
    default void onEvaluating(int done, int total) {}

    /** An image that could not be read, left out of its step or of an evaluation. */
    default void onSkipped(Path image, String reason) {}

    default void onCheckpoint(Path weights, long iteration) {}

    /** At the end, whether finished or stopped. */
    default void onEnd(DetectorTrainer.Outcome outcome) {}
}
