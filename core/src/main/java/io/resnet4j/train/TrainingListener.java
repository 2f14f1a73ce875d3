package io.resnet4j.train;

import java.nio.file.Path;

/**
 * Observes a training run; logging, progress, plotting and the like hang off the loop here
 * instead of living inside it. Every method has a no-op default.
 */
public interface TrainingListener {

    /**
     * One row of metrics.csv: averages over the steps since the previous row.
     *
     * @param valError validation error of a pass at this iteration, or NaN when none ran
     */
    record Metrics(long iteration, int epoch, float learningRate, double trainLoss, double trainError,
            double valError, double imagesPerSecond) {}

    /** Called once, with the iteration the run starts from (0, or where a resumed run left off). */
    default void onStart(TrainConfig config, long startIteration, int batchesPerEpoch) {}

    /** After every step. */
    default void onStep(long iteration, int epoch, float learningRate, TrainStep.Result result) {}

    /** Every {@code logEvery} steps and after every validation pass. */
    default void onMetrics(Metrics metrics) {}

    default void onCheckpoint(Path weights, long iteration) {}

    /** At the end, whether finished or interrupted. */
    default void onEnd(Trainer.Outcome outcome) {}
}
