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
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * run.json, the run's provenance (in the manner of Tribuo): model and every hyperparameter,
 * seed, data set and counts, library and JDK versions, git commit, timings and final metrics.
 * Written when the run starts ("running"), at every checkpoint and when it ends, so a folder
 * always says what it holds, even after a SIGKILL; {@code --resume} reads the configuration
 * back from it.
 *
 * <p>A run that stops unfinished is "interrupted", with the reason, where it resumes from and the
 * command that resumes it. A resumed run keeps the history of the earlier sessions (start time,
 * {@code resumptions}: when, from which iteration, how the previous session ended, and which
 * configuration or session values changed).
 */
public final class RunJson implements TrainingListener {

    public static final String FILE = "run.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path file;
    private final ObjectNode root;
    private final Instant started = Instant.now();
    private JsonNode previous;
    private String resumeCommand;
    private boolean forced;

    public RunJson(Path runDir, TrainConfig config, String dataPath, CifarData train, CifarData val) {
        this(runDir, config, dataPath, new CifarTrainingData(train, val));
    }

    /**
     * For any training data (CIFAR or image folders).
     *
     * @param dataPath where the data is, as the run records it: an absolute, normalised path, so
     *     that the run resumes from any working directory
     */
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

    /**
     * Settings of this session that are not part of the configuration but may change from one
     * session to the next (threads, device, grace period...); a resumption records their changes.
     */
    public synchronized RunJson session(Map<String, ?> values) {
        ObjectNode s = root.putObject("session");
        values.forEach((k, v) -> s.set(k, JSON.valueToTree(v)));
        return this;
    }

    /** The command that continues this run, recorded when it stops unfinished. */
    public synchronized RunJson resumeCommand(String command) {
        this.resumeCommand = command;
        return this;
    }

    /**
     * Keeps the history of an earlier run.json (start time, resumptions) when a run is resumed, and
     * records this resumption when it starts.
     */
    public synchronized RunJson mergePrevious(JsonNode previousRun) {
        this.previous = previousRun;
        if (previousRun == null) {
            return this;
        }
        if (previousRun.has("timings")) {
            root.set("timings", previousRun.get("timings").deepCopy());
            root.with("timings").remove("ended");
        }
        for (String kept : new String[] {"resumed_at", "resumptions", "final"}) {
            if (previousRun.has(kept)) {
                root.set(kept, previousRun.get(kept).deepCopy());
            }
        }
        return this;
    }

    @Override
    public void onStart(TrainConfig config, long startIteration, int batchesPerEpoch) {
        started(startIteration, batchesPerEpoch);
    }

    /** Records the start of a session (the first, or a resumed one) and writes the file. */
    public synchronized void started(long startIteration, int batchesPerEpoch) {
        root.put("batches_per_epoch", batchesPerEpoch);
        ObjectNode timings = root.with("timings");
        if (!timings.has("started")) {
            timings.put("started", started.toString());
        }
        if (startIteration > 0) {
            root.withArray("resumed_at").add(startIteration);
        }
        if (previous != null) {
            recordResumption(startIteration);
        }
        root.put("status", "running");
        root.remove("stop");
        root.remove("resume_command");
        write();
    }

    private void recordResumption(long startIteration) {
        ObjectNode r = root.withArray("resumptions").addObject();
        r.put("at", Instant.now().toString());
        r.put("iteration", startIteration);
        r.put("previous_end", previousEnd(previous));
        ObjectNode changed = r.putObject("changed");
        JsonNode now = asRead(root);
        compare(changed, "", previous.path("config"), now.path("config"));
        compare(changed, "session.", previous.path("session"), now.path("session"));
        compare(changed, "dataset.", previous.path("dataset").path("path"), now.path("dataset").path("path"), "path");
    }

    /** The node as it reads back from the file (a float 0.9 reads as the double 0.9, a long 6 as an int). */
    private static JsonNode asRead(JsonNode node) {
        try {
            return JSON.readTree(JSON.writeValueAsBytes(node));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** How the session before this resumption ended, in words. */
    static String previousEnd(JsonNode run) {
        String status = run.path("status").asText();
        return switch (status) {
            case "completed" -> "completed";
            case "interrupted" -> "interrupted: " + run.path("stop").path("reason").asText("no reason recorded");
            default -> "ended without recording why (killed by SIGKILL, out of memory, or the machine stopped)";
        };
    }

    private static void compare(ObjectNode changed, String prefix, JsonNode before, JsonNode after) {
        Set<String> keys = new TreeSet<>();
        before.fieldNames().forEachRemaining(keys::add);
        after.fieldNames().forEachRemaining(keys::add);
        for (String k : keys) {
            compare(changed, prefix, before.get(k), after.get(k), k);
        }
    }

    private static void compare(ObjectNode changed, String prefix, JsonNode before, JsonNode after, String key) {
        JsonNode b = before == null || before.isMissingNode() ? null : before;
        JsonNode a = after == null || after.isMissingNode() ? null : after;
        if (!Objects.equals(b, a)) {
            ObjectNode c = changed.putObject(prefix + key);
            c.set("from", b);
            c.set("to", a);
        }
    }

    /** Keeps the newest checkpoint in run.json, so that even a killed run's record says what it can resume from. */
    @Override
    public synchronized void onCheckpoint(Path weights, long iteration) {
        ObjectNode c = root.putObject("last_checkpoint");
        c.put("iteration", iteration);
        c.put("file", file.getParent().relativize(weights).toString());
        c.put("at", Instant.now().toString());
        write();
    }

    @Override
    public void onEnd(Trainer.Outcome o) {
        ObjectNode metrics = JSON.createObjectNode();
        putNumber(metrics, "train_error", o.lastTrainError());
        putNumber(metrics, "val_error", o.lastValError());
        ended(new End(o.completed(), o.iteration(), o.trained(), o.seconds(), o.imagesPerSecond(), metrics,
                o.lastCheckpoint(), o.stopReason()));
    }

    /**
     * How a session of any model's training ended.
     *
     * @param trained whether the session took a step (one resumed at its end leaves the numbers as they were)
     * @param finalMetrics the model's own final numbers (errors, losses, mAP), added to "final"
     * @param lastCheckpoint the newest checkpoint, or null
     * @param stopReason why an unfinished session stopped
     */
    public record End(boolean completed, long iteration, boolean trained, double seconds, double imagesPerSecond,
            ObjectNode finalMetrics, Path lastCheckpoint, String stopReason) {}

    /** Records the end of a session and writes the file. */
    public synchronized void ended(End e) {
        root.put("status", e.completed() ? "completed" : "interrupted");
        ObjectNode timings = root.with("timings");
        timings.put("ended", Instant.now().toString());
        timings.put("seconds_this_session", e.seconds());
        ObjectNode fin = root.with("final");
        fin.put("iteration", e.iteration());
        if (e.trained()) {
            timings.put("images_per_s", e.imagesPerSecond());
            fin.setAll(e.finalMetrics());
        }
        if (e.lastCheckpoint() != null) {
            fin.put("checkpoint", relative(e.lastCheckpoint()));
        }
        if (!e.completed()) {
            ObjectNode stop = root.putObject("stop");
            stop.put("reason", e.stopReason());
            stop.put("iteration", e.iteration());
            stop.put("resumes_from", e.lastCheckpoint() == null ? 0 : TrainingCheckpoints.iterationOf(e.lastCheckpoint()));
            putResumeCommand();
        }
        write();
    }

    /**
     * Records a stop that skips the normal end (a second signal, a grace period run out): the run
     * is "interrupted" and resumes from its newest complete checkpoint on disk, or from iteration 0.
     * Nothing is written after this.
     */
    public synchronized void forcedStop(String reason) {
        root.put("status", "interrupted");
        root.with("timings").put("ended", Instant.now().toString());
        ObjectNode stop = root.putObject("stop");
        stop.put("reason", reason);
        long from = 0;
        try {
            from = new TrainingCheckpoints(file.getParent()).latest().map(TrainingCheckpoints::iterationOf).orElse(0L);
        } catch (IOException e) {
            // an unreadable checkpoints folder: resuming will say what is wrong with it
        }
        stop.put("resumes_from", from);
        if (from == 0) {
            stop.put("note", "interrupted before its first checkpoint; resuming starts again from iteration 0");
        }
        putResumeCommand();
        write();
        forced = true;
    }

    private void putResumeCommand() {
        if (resumeCommand != null) {
            root.put("resume_command", resumeCommand);
        }
    }

    private String relative(Path p) {
        return file.getParent().toAbsolutePath().relativize(p.toAbsolutePath()).toString();
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
        if (forced) {
            return; // the process is about to halt; the forced stop's record is the true one
        }
        try {
            AtomicFiles.write(file, JSON.writeValueAsBytes(root));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
