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
    private final String header;
    private BufferedWriter out;

    public MetricsCsv(Path file) {
        this(file, HEADER);
    }

    /** A log with other columns; the first is the iteration. */
    public MetricsCsv(Path file, String header) {
        this.file = file;
        this.header = header;
    }

    @Override
    public void onStart(TrainConfig config, long startIteration, int batchesPerEpoch) {
        start(startIteration);
    }

    /** Opens the log for a session starting at {@code startIteration}, dropping rows written after it. */
    public void start(long startIteration) {
        try {
            List<String> keep = new ArrayList<>();
            keep.add(header);
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
        append(String.format(Locale.ROOT, "%d,%d,%s,%.5f,%.5f,%s,%.1f", m.iteration(), m.epoch(),
                LearningRateSchedule.format(m.learningRate()), m.trainLoss(), m.trainError(),
                Double.isNaN(m.valError()) ? "" : String.format(Locale.ROOT, "%.5f", m.valError()),
                m.imagesPerSecond()));
    }

    /** Appends one row (its cells in the header's order) and flushes it. */
    public void append(String row) {
        try {
            out.write(row);
            out.newLine();
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    @Override
    public void onEnd(Trainer.Outcome outcome) {
        close();
    }

    /** Closes the log at the end of a session. */
    public void close() {
        try {
            if (out != null) {
                out.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
