package io.resnet4j.train;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Writes metrics.csv: {@code iteration,epoch,lr,train_loss,train_error,val_error,images_per_s}
 * (errors as fractions; val_error empty where no validation ran). On resume, rows past the
 * resumed iteration (written after the checkpoint the run restarts from) are dropped, so the
 * file reads as one uninterrupted run.
 */
public final class MetricsCsv implements TrainingListener {

    public static final String HEADER = "iteration,epoch,lr,train_loss,train_error,val_error,images_per_s";

    private final Path file;
    private BufferedWriter out;

    public MetricsCsv(Path file) {
        this.file = file;
    }

    @Override
    public void onStart(TrainConfig config, long startIteration, int batchesPerEpoch) {
        try {
            List<String> keep = new ArrayList<>();
            keep.add(HEADER);
            if (startIteration > 0 && Files.exists(file)) {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    if (line.isBlank() || line.startsWith("iteration")) {
                        continue;
                    }
                    if (Long.parseLong(line.substring(0, line.indexOf(','))) <= startIteration) {
                        keep.add(line);
                    }
                }
            }
            Files.write(file, keep, StandardCharsets.UTF_8);
            out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    @Override
    public void onMetrics(Metrics m) {
        try {
            out.write(String.format(Locale.ROOT, "%d,%d,%s,%.5f,%.5f,%s,%.1f%n", m.iteration(), m.epoch(),
                    LearningRateSchedule.format(m.learningRate()), m.trainLoss(), m.trainError(),
                    Double.isNaN(m.valError()) ? "" : String.format(Locale.ROOT, "%.5f", m.valError()),
                    m.imagesPerSecond()));
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    @Override
    public void onEnd(Trainer.Outcome outcome) {
        try {
            if (out != null) {
                out.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
