package io.resnet4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.resnet4j.image.Preprocessing;
import io.resnet4j.io.Checkpoint;
import io.resnet4j.io.SafeTensors;
import io.resnet4j.model.ResNet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
 * {@code model.safetensors}. The state file is written after the weights, so a state file present
 * means its weights are complete.
 */
public final class TrainingCheckpoints {

    /** The finished run's weights, in the run folder. */
    public static final String FINAL_MODEL = "model.safetensors";
    static final String STATE_SUFFIX = ".state.safetensors";
    private static final String MOMENTUM_PREFIX = "momentum.";

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
        Files.createDirectories(dir());
        Path weights = weightsAt(state.iteration());
        ObjectNode provenance = JsonNodeFactory.instance.objectNode();
        provenance.put("resnet4j_version", io.resnet4j.Versions.resnet4j());
        provenance.put("run", runDir.toAbsolutePath().toString());
        provenance.put("iteration", state.iteration());
        provenance.put("seed", seed);
        Checkpoint.save(weights, net, classNames, preprocessing, provenance);
        Map<String, NDArray> momentum = new LinkedHashMap<>();
        sgd.state().forEach((name, buffer) -> momentum.put(MOMENTUM_PREFIX + name, buffer));
        Map<String, String> meta = state.toMetadata();
        meta.put("seed", String.valueOf(seed));
        Checkpoint.saveTensors(statePath(weights), momentum, meta);
        return weights;
    }

    /**
     * Loads the newest complete checkpoint into the network, the optimizer and the schedule state.
     *
     * @return the preprocessing the run has used from its start
     * @throws IOException when the folder holds no checkpoint
     */
    Preprocessing restoreLatest(ResNet net, Sgd sgd, ScheduleState state, NDManager manager) throws IOException {
        Path statePath = latestState(dir()).orElseThrow(() -> new IOException("nothing to resume in " + runDir
                + ": no checkpoint in " + dir()));
        Preprocessing preprocessing = Checkpoint.loadInto(weightsFor(statePath), net).preprocessing();
        try (NDManager scratch = manager.newSubManager()) {
            SafeTensors.Contents saved = SafeTensors.read(statePath, scratch);
            Map<String, NDArray> momentum = new LinkedHashMap<>();
            saved.tensors().forEach((k, v) -> momentum.put(k.substring(MOMENTUM_PREFIX.length()), v));
            sgd.loadState(momentum);
            state.restore(saved.metadata());
        }
        return preprocessing;
    }

    /**
     * Copies the finished run's last checkpoint to {@value #FINAL_MODEL}. A run resumed after it
     * had already finished wrote no checkpoint in this session: its last one is on disk.
     *
     * @return the checkpoint published, or null when there is none
     */
    Path publishFinal(Path lastWritten, long iteration) throws IOException {
        Path last = lastWritten != null ? lastWritten : weightsAt(iteration);
        if (!Files.exists(last)) {
            return null;
        }
        Files.copy(last, runDir.resolve(FINAL_MODEL), StandardCopyOption.REPLACE_EXISTING);
        return last;
    }

    static Path statePath(Path weights) {
        String name = weights.getFileName().toString();
        return weights.resolveSibling(name.substring(0, name.length() - ".safetensors".length()) + STATE_SUFFIX);
    }

    static Path weightsFor(Path state) {
        String name = state.getFileName().toString();
        return state.resolveSibling(name.substring(0, name.length() - STATE_SUFFIX.length()) + ".safetensors");
    }

    /** The newest complete checkpoint's state file (weights and optimizer state both written) in a folder. */
    public static Optional<Path> latestState(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(STATE_SUFFIX))
                    .filter(p -> Files.exists(weightsFor(p)))
                    .max(Comparator.comparing(p -> p.getFileName().toString()));
        }
    }
}
