package io.resnet4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.resnet4j.image.Preprocessing;
import io.resnet4j.io.AtomicFiles;
import io.resnet4j.io.Checkpoint;
import io.resnet4j.io.SafeTensors;
import io.resnet4j.model.ResNet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The files of a run folder that make it resumable: {@code checkpoints/iter-NNNNNNN.safetensors}
 * (a resnet4j checkpoint: weights, classes, preprocessing, provenance) with its
 * {@code .state.safetensors} sibling (momentum buffers and {@link ScheduleState}), and the final
 * {@code model.safetensors}.
 *
 * <p>Every file is written atomically (a temporary sibling, then a rename), and the state file
 * after the weights, so a state file present means a complete checkpoint, whenever the process
 * was killed. Deleting goes the other way round (state first), so a checkpoint being deleted is
 * never taken for a complete one.
 */
public final class TrainingCheckpoints {

    /** The finished run's weights, in the run folder. */
    public static final String FINAL_MODEL = "model.safetensors";
    static final String STATE_SUFFIX = ".state.safetensors";
    /**
     * Test hook: milliseconds to wait between a checkpoint's weights and its state file, so that
     * tests can stop a process in the middle of a checkpoint write.
     */
    static final String TEST_DELAY_PROPERTY = "resnet4j.test.checkpointDelayMillis";
    private static final String MOMENTUM_PREFIX = "momentum.";
    private static final String WEIGHTS_SUFFIX = ".safetensors";

    private final Path runDir;

    public TrainingCheckpoints(Path runDir) {
        this.runDir = runDir;
    }

    public Path runDir() {
        return runDir;
    }

    public Path dir() {
        return runDir.resolve("checkpoints");
    }

    Path weightsAt(long iteration) {
        return dir().resolve(String.format(Locale.ROOT, "iter-%07d.safetensors", iteration));
    }

    /** Writes the weights, then the optimizer and schedule state; returns the weights file. */
    Path save(ResNet net, Sgd sgd, ScheduleState state, Preprocessing preprocessing, List<String> classNames,
            long seed) throws IOException {
        ObjectNode provenance = provenance(state.iteration(), seed);
        Map<String, String> meta = state.toMetadata();
        meta.put("seed", String.valueOf(seed));
        return save(state.iteration(), file -> Checkpoint.save(file, net, classNames, preprocessing, provenance), sgd,
                meta);
    }

    /** What every checkpoint of the run records about where it comes from. */
    public ObjectNode provenance(long iteration, long seed) {
        ObjectNode provenance = JsonNodeFactory.instance.objectNode();
        provenance.put("resnet4j_version", io.resnet4j.Versions.resnet4j());
        provenance.put("run", runDir.toAbsolutePath().toString());
        provenance.put("iteration", iteration);
        provenance.put("seed", seed);
        return provenance;
    }

    /** Writes a model's weights file, for models whose checkpoint format is their own. */
    @FunctionalInterface
    public interface WeightsWriter {
        void write(Path file) throws IOException;
    }

    /**
     * Writes a checkpoint of any model: its weights (by {@code weights}), then the momentum buffers
     * with the caller's training state, so a state file present means its weights are complete.
     *
     * @return the weights file
     */
    public Path save(long iteration, WeightsWriter weights, Sgd sgd, Map<String, String> state) throws IOException {
        Files.createDirectories(dir());
        Path file = weightsAt(iteration);
        weights.write(file);
        pauseForTests();
        Map<String, NDArray> momentum = new LinkedHashMap<>();
        sgd.state().forEach((name, buffer) -> momentum.put(MOMENTUM_PREFIX + name, buffer));
        Checkpoint.saveTensors(statePath(file), momentum, state);
        return file;
    }

    private static void pauseForTests() {
        long millis = Long.getLong(TEST_DELAY_PROPERTY, 0);
        if (millis > 0) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The weights file of the newest complete checkpoint, if any. */
    public Optional<Path> latest() throws IOException {
        return latestState(dir()).map(TrainingCheckpoints::weightsFor);
    }

    /** The iteration a checkpoint file was written at, from its name. */
    public static long iterationOf(Path checkpoint) {
        String name = checkpoint.getFileName().toString();
        return Long.parseLong(name.substring("iter-".length(), name.indexOf('.')));
    }

    /**
     * Loads the newest complete checkpoint into the network, the optimizer and the schedule state.
     *
     * @return the preprocessing the run has used from its start
     * @throws IOException when the folder holds no checkpoint
     */
    Preprocessing restoreLatest(ResNet net, Sgd sgd, ScheduleState state, NDManager manager) throws IOException {
        Restored restored = restoreLatest(sgd, manager);
        state.restore(restored.state());
        return Checkpoint.loadInto(restored.weights(), net).preprocessing();
    }

    /** The newest checkpoint's weights file (for the caller to load) and the training state saved with it. */
    public record Restored(Path weights, Map<String, String> state) {}

    /**
     * Restores the momentum buffers of the newest complete checkpoint.
     *
     * @throws IOException when the folder holds no checkpoint
     */
    public Restored restoreLatest(Sgd sgd, NDManager manager) throws IOException {
        Path statePath = latestState(dir()).orElseThrow(() -> new IOException("nothing to resume in " + runDir
                + ": no checkpoint in " + dir()));
        try (NDManager scratch = manager.newSubManager()) {
            SafeTensors.Contents saved = SafeTensors.read(statePath, scratch);
            Map<String, NDArray> momentum = new LinkedHashMap<>();
            saved.tensors().forEach((k, v) -> momentum.put(k.substring(MOMENTUM_PREFIX.length()), v));
            sgd.loadState(momentum);
            return new Restored(weightsFor(statePath), saved.metadata());
        }
    }

    /**
     * Deletes all but the newest {@code keep} complete checkpoints (never the only one), the
     * weights of checkpoints whose state was never written, and what killed writes left behind.
     */
    public void prune(int keep) throws IOException {
        List<Path> complete = completeStates(dir());
        for (int i = 0; i < complete.size() - Math.max(keep, 1); i++) {
            Files.deleteIfExists(complete.get(i));
            Files.deleteIfExists(weightsFor(complete.get(i)));
        }
        try (Stream<Path> files = Files.list(dir())) {
            for (Path p : files.filter(TrainingCheckpoints::isWeights).toList()) {
                if (!Files.exists(statePath(p))) {
                    Files.deleteIfExists(p); // a write that stopped between weights and state
                }
            }
        }
        AtomicFiles.removeStaleTemporaries(dir());
    }

    private static boolean isWeights(Path p) {
        String name = p.getFileName().toString();
        return name.startsWith("iter-") && name.endsWith(WEIGHTS_SUFFIX) && !name.endsWith(STATE_SUFFIX);
    }

    /**
     * Copies the finished run's last checkpoint to {@value #FINAL_MODEL}, atomically.
     *
     * @return the checkpoint published, or null when there is none
     */
    public Path publishFinal(Path lastWritten) throws IOException {
        if (lastWritten == null || !Files.exists(lastWritten)) {
            return null;
        }
        AtomicFiles.write(runDir.resolve(FINAL_MODEL), out -> Files.copy(lastWritten, out));
        return lastWritten;
    }

    static Path statePath(Path weights) {
        String name = weights.getFileName().toString();
        return weights.resolveSibling(name.substring(0, name.length() - WEIGHTS_SUFFIX.length()) + STATE_SUFFIX);
    }

    static Path weightsFor(Path state) {
        String name = state.getFileName().toString();
        return state.resolveSibling(name.substring(0, name.length() - STATE_SUFFIX.length()) + WEIGHTS_SUFFIX);
    }

    /** The newest complete checkpoint's state file (weights and optimizer state both written) in a folder. */
    public static Optional<Path> latestState(Path dir) throws IOException {
        List<Path> complete = completeStates(dir);
        return complete.isEmpty() ? Optional.empty() : Optional.of(complete.get(complete.size() - 1));
    }

    /** The state files of complete checkpoints, oldest first. */
    private static List<Path> completeStates(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(STATE_SUFFIX))
                    .filter(p -> Files.exists(weightsFor(p)))
                    .sorted(Comparator.comparing(p -> p.getFileName().toString()))
                    .toList();
        }
    }
}
