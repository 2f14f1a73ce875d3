package io.resnet4j.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.resnet4j.data.CifarData;
import io.resnet4j.io.AtomicFiles;
import io.resnet4j.io.JsonErrors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * run.json, the run's provenance (in the manner of Tribuo): model and every hyperparameter,
 * seed, data set and counts, library and JDK versions, git commit, timings and final metrics.
 * Written when the run starts ("running") and rewritten when it ends, so a folder always says
 * what it holds; {@code --resume} reads the configuration back from it.
 */
public final class RunJson implements TrainingListener {

    public static final String FILE = "run.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path file;
    private final ObjectNode root;
    private final Instant started = Instant.now();

    public RunJson(Path runDir, TrainConfig config, String dataPath, CifarData train, CifarData val) {
        this(runDir, config, dataPath, new CifarTrainingData(train, val));
    }

    /** For any training data (CIFAR or image folders). */
    public RunJson(Path runDir, TrainConfig config, String dataPath, TrainingData train) {
        this(runDir, config.model().spec().name(), config.toJson(), config.seed(), dataset(dataPath, train));
    }

    /**
     * For any model: its name, the configuration {@code --resume} reads back, the seed and what the
     * data set was (path, splits, counts, classes).
     */
    public RunJson(Path runDir, String model, ObjectNode config, long seed, ObjectNode dataset) {
        this.file = runDir.resolve(FILE);
        root = JSON.createObjectNode();
        root.put("model", model);
        root.set("config", config);
        root.put("seed", seed);
        root.set("dataset", dataset);
        root.set("environment", RunInfo.collect().toJson());
        root.put("status", "running");
    }

    private static ObjectNode dataset(String dataPath, TrainingData train) {
        ObjectNode data = JSON.createObjectNode();
        data.put("path", dataPath);
        data.put("train_split", train.trainSplit());
        data.put("train_images", train.size());
        if (train.valSplit() != null) {
            data.put("val_split", train.valSplit());
            data.put("val_images", train.valSize());
        }
        data.put("classes", train.numClasses());
        var names = data.putArray("class_names");
        train.classNames().forEach(names::add);
        return data;
    }

    /** Reads a run folder's run.json. */
    public static JsonNode read(Path runDir) throws IOException {
        Path f = runDir.resolve(FILE);
        if (!Files.exists(f)) {
            throw new IOException(runDir + " is not a resnet4j run folder: it has no " + FILE);
        }
        return JsonErrors.readFile(JSON, f);
    }

    @Override
    public void onStart(TrainConfig config, long startIteration, int batchesPerEpoch) {
        started(startIteration, batchesPerEpoch);
    }

    /** Records the start of a session (the first, or a resumed one) and writes the file. */
    public void started(long startIteration, int batchesPerEpoch) {
        root.put("batches_per_epoch", batchesPerEpoch);
        ObjectNode timings = root.with("timings");
        if (!timings.has("started")) {
            timings.put("started", started.toString());
        }
        if (startIteration > 0) {
            root.withArray("resumed_at").add(startIteration);
        }
        write();
    }

    /** Keeps the history of an earlier run.json (start time, resumptions) when a run is resumed. */
    public RunJson mergePrevious(JsonNode previous) {
        if (previous != null && previous.has("timings")) {
            root.set("timings", previous.get("timings").deepCopy());
            root.with("timings").remove("ended");
        }
        if (previous != null && previous.has("resumed_at")) {
            root.set("resumed_at", previous.get("resumed_at").deepCopy());
        }
        return this;
    }

    @Override
    public void onEnd(Trainer.Outcome o) {
        ObjectNode fin = JSON.createObjectNode();
        putNumber(fin, "train_error", o.lastTrainError());
        putNumber(fin, "val_error", o.lastValError());
        ended(o.completed(), o.iteration(), o.seconds(), o.imagesPerSecond(), fin, o.lastCheckpoint());
    }

    /**
     * Records the end of a session and writes the file.
     *
     * @param finalMetrics the model's own final numbers (errors, mAP), added to "final"
     * @param lastCheckpoint the newest checkpoint, or null
     */
    public void ended(boolean completed, long iteration, double seconds, double imagesPerSecond,
            ObjectNode finalMetrics, Path lastCheckpoint) {
        root.put("status", completed ? "completed" : "interrupted");
        ObjectNode timings = root.with("timings");
        timings.put("ended", Instant.now().toString());
        timings.put("seconds_this_session", seconds);
        timings.put("images_per_s", imagesPerSecond);
        ObjectNode fin = root.putObject("final");
        fin.put("iteration", iteration);
        fin.setAll(finalMetrics);
        if (lastCheckpoint != null) {
            fin.put("checkpoint", file.getParent().relativize(lastCheckpoint).toString());
        }
        write();
    }

    /** A number, or null for NaN (JSON has no NaN). */
    public static void putNumber(ObjectNode o, String key, double v) {
        if (Double.isNaN(v)) {
            o.putNull(key);
        } else {
            o.put(key, v);
        }
    }

    private void write() {
        try {
            AtomicFiles.write(file, JSON.writeValueAsBytes(root));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
