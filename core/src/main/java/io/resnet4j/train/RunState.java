package io.resnet4j.train;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Where a run folder stands, from its run.json and its checkpoints: finished, or where it resumes
 * from (its newest complete checkpoint, or iteration 0 when it stopped before writing one) and how
 * its last session ended. Read before resuming, so that a finished run is left as it is and a
 * resumed one says what it continues from.
 *
 * <p>A run.json that still says "running" while nobody holds the folder's
 * {@link io.resnet4j.files.RunLock} belongs to a process that ended without recording why (a
 * SIGKILL, out of memory, a machine that stopped); its checkpoints are as good as any.
 */
public final class RunState {

    private final Path runDir;
    private final JsonNode json;
    private final Optional<Path> checkpoint;

    private RunState(Path runDir, JsonNode json, Optional<Path> checkpoint) {
        this.runDir = runDir;
        this.json = json;
        this.checkpoint = checkpoint;
    }

    /** @throws IOException when the folder holds no run.json or an unreadable one */
    public static RunState read(Path runDir) throws IOException {
        JsonNode json = RunJson.read(runDir);
        return new RunState(runDir, json, new TrainingCheckpoints(runDir).latest());
    }

    public Path runDir() {
        return runDir;
    }

    /** The run.json as read. */
    public JsonNode json() {
        return json;
    }

    /** The recorded configuration. */
    public TrainConfig config() {
        return TrainConfig.fromJson(json.get("config"));
    }

    /** "running", "interrupted" or "completed". */
    public String status() {
        return json.path("status").asText();
    }

    /** Completed, with its final weights. */
    public boolean finished() {
        return "completed".equals(status()) && Files.exists(runDir.resolve(TrainingCheckpoints.FINAL_MODEL));
    }

    /** The newest complete checkpoint, if any was written. */
    public Optional<Path> checkpoint() {
        return checkpoint;
    }

    /** The iteration a resumed run starts from: its newest complete checkpoint's, or 0. */
    public long resumeIteration() {
        return checkpoint.map(TrainingCheckpoints::iterationOf).orElse(0L);
    }

    /** Iterations the run has done: where it finished, or where it resumes from. */
    public long iterationsDone() {
        return finished() ? json.path("final").path("iteration").asLong(resumeIteration()) : resumeIteration();
    }

    /** How the last session ended, in words ("interrupted: SIGTERM", "ended without recording why ..."). */
    public String howItEnded() {
        return RunJson.previousEnd(json);
    }

    /** What a resumed run continues from, in words. */
    public String resumesFrom() {
        return checkpoint.map(c -> String.format(Locale.ROOT, "its checkpoint at iteration %,d (%s)",
                TrainingCheckpoints.iterationOf(c), runDir.relativize(c)))
                .orElse("iteration 0 with its recorded configuration: it stopped before its first checkpoint");
    }

    /** "finished at iteration 300 of 300: train error 1.23%, validation error 4.56%". */
    public String finalSummary() {
        JsonNode fin = json.path("final");
        return String.format(Locale.ROOT, "finished at iteration %,d of %,d: train error %s, validation error %s",
                iterationsDone(), config().iterations(), percent(fin.get("train_error")), percent(fin.get("val_error")));
    }

    private static String percent(JsonNode n) {
        return n == null || !n.isNumber() ? "n/a" : String.format(Locale.ROOT, "%.2f%%", 100 * n.asDouble());
    }

    /** The recorded session settings (threads, device, grace period...), or an empty node. */
    public JsonNode session() {
        return json.path("session");
    }

    /** Where the run's data was, as recorded; runs recorded before paths were absolute are resolved here. */
    public Path recordedData() {
        return Path.of(json.path("dataset").path("path").asText()).toAbsolutePath().normalize();
    }

    /**
     * The data to resume on. A run continues on the data it began with: {@code given} (may be null)
     * is taken when it is that very file or folder, or, when the recorded one is gone, as its new
     * place ({@link #requireSameData} then checks what it holds).
     *
     * @throws IllegalArgumentException naming both paths when {@code given} is other data, or the
     *     recorded data is gone and nothing else was given
     */
    public Path dataFor(Path given) {
        Path recorded = recordedData();
        boolean recordedExists = Files.exists(recorded);
        if (given == null) {
            if (!recordedExists) {
                throw new IllegalArgumentException("the run's data " + recorded + " is gone; give the same data at its"
                        + " new place");
            }
            return recorded;
        }
        Path abs = given.toAbsolutePath().normalize();
        if (recordedExists && !sameFile(abs, recorded)) {
            throw new IllegalArgumentException(abs + " is not the data of " + runDir + " (" + recorded
                    + "); a run continues on the data it began with");
        }
        return recordedExists ? recorded : abs;
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.exists(a) && Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Checks that data at a new place is what the run recorded: the same splits, image counts and
     * class names.
     *
     * @throws IllegalArgumentException naming what differs
     */
    public void requireSameData(TrainingData data) {
        JsonNode d = json.path("dataset");
        List<String> differences = new ArrayList<>();
        differ(differences, "training split", d.path("train_split").asText(), data.trainSplit());
        differ(differences, "training images", d.path("train_images").asText(), String.valueOf(data.size()));
        differ(differences, "validation images", d.path("val_images").asText("0"), String.valueOf(data.valSize()));
        List<String> names = new ArrayList<>();
        d.path("class_names").forEach(n -> names.add(n.asText()));
        differ(differences, "classes", String.valueOf(names), String.valueOf(data.classNames()));
        if (!differences.isEmpty()) {
            throw new IllegalArgumentException("this is not the data " + runDir + " was trained on: "
                    + String.join("; ", differences));
        }
    }

    private static void differ(List<String> out, String what, String recorded, String found) {
        if (!recorded.equals(found)) {
            out.add(what + " " + found + ", recorded " + recorded);
        }
    }
}
