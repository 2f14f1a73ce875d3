package io.resnet4j.detection.train;

import io.resnet4j.train.LearningRateSchedule;
import io.resnet4j.train.MetricsCsv;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A detector run's metrics.csv: per row the step, epoch, learning rate, the mean of each loss and of
 * their sum since the previous row, the held-out VOC07 mAP@0.5 where an evaluation ran, and training
 * throughput. Empty cells are values not measured at that row. On resume, rows past the resumed step
 * are dropped, as for classification runs.
 */
public final class DetectionMetricsCsv implements DetectionTrainingListener {

    public static final String HEADER = "iteration,epoch,lr,loss,loss_objectness,loss_rpn_box_reg,loss_classifier,"
            + "loss_box_reg,val_map50,images_per_s";

    private final MetricsCsv csv;

    public DetectionMetricsCsv(Path file) {
        csv = new MetricsCsv(file, HEADER);
    }

    @Override
    public void onStart(DetectionTrainConfig config, long startIteration, int batchesPerEpoch) {
        csv.start(startIteration);
    }

    @Override
    public void onMetrics(Metrics m) {
        DetectorTrainStep.Losses l = m.losses();
        String losses = l == null ? ",,,,"
                : String.format(Locale.ROOT, "%.5f,%.5f,%.5f,%.5f,%.5f", l.total(), l.objectness(), l.rpnBoxRegression(),
                        l.classifier(), l.boxRegression());
        csv.append(String.format(Locale.ROOT, "%d,%d,%s,%s,%s,%s", m.iteration(), m.epoch(),
                LearningRateSchedule.format(m.learningRate()), losses,
                Double.isNaN(m.map50()) ? "" : String.format(Locale.ROOT, "%.5f", m.map50()),
                Double.isNaN(m.imagesPerSecond()) ? "" : String.format(Locale.ROOT, "%.2f", m.imagesPerSecond())));
    }

    @Override
    public void onEnd(DetectorTrainer.Outcome outcome) {
        csv.close();
    }
}
