package io.resnet4j.detection.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.Initializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.resnet4j.io.JsonErrors;
import io.resnet4j.io.PrintableText;
import io.resnet4j.io.SafeTensors;
import io.resnet4j.io.StateDicts;
import io.resnet4j.io.WeightsFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A detector's checkpoint: safetensors with torchvision's state_dict names (FasterRcnn#stateDict) and,
 * in {@code __metadata__}, what rebuilds and uses it: the configuration (architecture, backbone,
 * transform, anchors, proposal and box settings), the class names (entry 0 the background) and the
 * provenance. Loading is strict: every tensor present with its shape, nothing else.
 */
public final class DetectorCheckpoint {

    public static final String FORMAT = io.resnet4j.io.Checkpoint.DETECTOR_FORMAT;
    public static final String FORMAT_VERSION = "1";
    private static final ObjectMapper JSON = new ObjectMapper();

    private DetectorCheckpoint() {}

    /** What a checkpoint says about its detector besides the weights. */
    public record Info(FasterRcnnConfig config, List<String> classNames, JsonNode provenance) {}

    /** A detector rebuilt from a checkpoint, weights in place. */
    public record Loaded(FasterRcnn net, Info info) {}

    /** Writes the detector's weights and metadata atomically. */
    public static void save(Path file, FasterRcnn net, List<String> classNames, ObjectNode provenance)
            throws IOException {
        if (classNames.size() != net.config().numClasses()) {
            throw new IllegalArgumentException(classNames.size() + " class names for a detector of "
                    + net.config().numClasses() + " classes (the background included)");
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("format_version", FORMAT_VERSION);
        meta.put("config", DetectorConfigJson.toJson(net.config()).toString());
        meta.put("class_names", JSON.valueToTree(classNames).toString());
        ObjectNode prov = provenance == null ? JSON.createObjectNode() : provenance.deepCopy();
        if (!prov.has("created")) {
            prov.put("created", Instant.now().toString());
        }
        meta.put("provenance", prov.toString());
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        net.stateDict().forEach((name, p) -> tensors.put(name, p.getArray()));
        SafeTensors.write(file, tensors, meta);
    }

    /** Whether a file is a resnet4j detector checkpoint (its header says so; nothing else is read). */
    public static boolean isDetectorCheckpoint(Path file) {
        try {
            return Files.isRegularFile(file) && FORMAT.equals(SafeTensors.readMetadata(file).get("format"));
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Reads and checks the metadata without loading the weights.
     *
     * @throws WeightsFormatException when the file is no detector checkpoint or its metadata is unusable
     */
    public static Info readInfo(Path file) throws IOException {
        Map<String, String> meta = SafeTensors.readMetadata(file);
        if (!FORMAT.equals(meta.get("format"))) {
            throw new WeightsFormatException(file + " is not a resnet4j detector checkpoint (format '"
                    + PrintableText.of(String.valueOf(meta.get("format"))) + "')");
        }
        try {
            FasterRcnnConfig config = DetectorConfigJson.fromJson(JSON.readTree(meta.getOrDefault("config", "null")));
            List<String> names = new ArrayList<>();
            JSON.readTree(meta.getOrDefault("class_names", "[]")).forEach(n -> names.add(n.asText()));
            if (names.size() != config.numClasses()) {
                throw new IllegalArgumentException(names.size() + " class names for " + config.numClasses() + " classes");
            }
            return new Info(config, List.copyOf(names), JSON.readTree(meta.getOrDefault("provenance", "{}")));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new WeightsFormatException(file + " has unreadable detector metadata: " + JsonErrors.describe(e));
        } catch (IllegalArgumentException e) {
            throw new WeightsFormatException(file + " has unusable detector metadata: " + e.getMessage());
        }
    }

    /** Rebuilds the detector on the manager's device and loads its weights. */
    public static Loaded load(Path file, NDManager manager) throws IOException {
        return load(file, UnaryOperator.identity(), manager);
    }

    /**
     * As {@link #load(Path, NDManager)}, with changes to the recorded configuration that keep the
     * weights valid (input size, thresholds).
     */
    public static Loaded load(Path file, UnaryOperator<FasterRcnnConfig> adjust, NDManager manager) throws IOException {
        Info info = readInfo(file);
        FasterRcnn net = new FasterRcnn(adjust.apply(info.config()));
        net.setInitializer(Initializer.ZEROS, p -> true); // every value is overwritten: skip drawing random ones
        net.initialize(manager);
        loadInto(file, net);
        return new Loaded(net, info);
    }

    /**
     * Loads a checkpoint's weights into an initialised detector of the same configuration.
     *
     * @throws WeightsFormatException listing missing, unexpected and misshapen tensors
     */
    public static Info loadInto(Path file, FasterRcnn net) throws IOException {
        Info info = readInfo(file);
        Map<String, Parameter> sd = net.stateDict();
        NDManager manager = sd.values().iterator().next().getArray().getManager();
        try (NDManager scratch = manager.newSubManager()) {
            StateDicts.load(sd, "the detector " + file + " describes", SafeTensors.read(file, scratch).tensors());
        }
        return info;
    }
}
