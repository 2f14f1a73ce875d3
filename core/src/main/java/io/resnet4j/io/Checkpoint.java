package io.resnet4j.io;

import io.resnet4j.image.Preprocessing;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.resnet4j.model.ResNet;
import io.resnet4j.model.ResNetConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * resnet4j's checkpoint: safetensors with torchvision tensor names (so PyTorch loads it with a
 * strict {@code load_state_dict}) and, in {@code __metadata__}, everything needed to rebuild
 * and use the model: architecture and layout, classes, preprocessing, provenance.
 */
public final class Checkpoint {

    public static final String FORMAT = "resnet4j-checkpoint";
    public static final String FORMAT_VERSION = "1";
    /** The format of a detector's checkpoint, which classification refuses by name. */
    public static final String DETECTOR_FORMAT = "resnet4j-detector";

    private static final ObjectMapper JSON = new ObjectMapper();

    private Checkpoint() {}

    /** What a checkpoint says about its model, besides the weights. */
    public record Info(ResNetConfig config, List<String> classNames, Preprocessing preprocessing, JsonNode provenance) {}

    /** A loaded checkpoint: the initialised network (weights in place) and its info. */
    public record Loaded(ResNet net, Info info) {}

    /** Writes the network's weights and metadata atomically. */
    public static void save(Path file, ResNet net, List<String> classNames, Preprocessing preprocessing,
            ObjectNode provenance) throws IOException {
        ResNetConfig c = net.config();
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("format_version", FORMAT_VERSION);
        ModelConfigJson.toJson(c).fields().forEachRemaining(
                f -> meta.put(f.getKey(), f.getValue().isValueNode() ? f.getValue().asText() : f.getValue().toString()));
        meta.put("class_names", JSON.valueToTree(classNames == null ? List.of() : classNames).toString());
        if (preprocessing != null) {
            meta.put("preprocessing", preprocessing.toJson());
        }
        ObjectNode prov = provenance == null ? JSON.createObjectNode() : provenance.deepCopy();
        if (!prov.has("created")) {
            prov.put("created", Instant.now().toString());
        }
        meta.put("provenance", prov.toString());
        try (NDManager scratch = NDManager.newBaseManager()) {
            SafeTensors.write(file, StateDicts.export(net, scratch), meta);
        }
    }

    /**
     * Reads the metadata of a resnet4j checkpoint without loading the weights, and checks that the
     * architecture it describes is the one its tensors hold: metadata is as untrusted as the rest of
     * the file, and a network is built from it before any weight is compared.
     */
    public static Info readInfo(Path file) throws IOException {
        SafeTensors.Header header = SafeTensors.readHeader(file);
        Map<String, String> meta = header.metadata();
        if (!FORMAT.equals(meta.get("format"))) {
            throw new WeightsFormatException(file + " has no resnet4j metadata (format '" + meta.get("format")
                    + "'); it is not a resnet4j checkpoint");
        }
        Info info = info(file, meta);
        Map<String, Shape> shapes = new LinkedHashMap<>();
        header.tensors().forEach((name, e) -> shapes.put(name, e.shape()));
        StateDicts.checkParameterCount(file.toString(), info.config(), shapes);
        return info;
    }

    private static Info info(Path file, Map<String, String> meta) throws WeightsFormatException {
        try {
            ResNetConfig c = ModelConfigJson.fromJson(JSON.valueToTree(meta));
            List<String> names = new ArrayList<>();
            JSON.readTree(meta.getOrDefault("class_names", "[]")).forEach(n -> names.add(n.asText()));
            Preprocessing pre = meta.containsKey("preprocessing") ? Preprocessing.fromJson(meta.get("preprocessing")) : null;
            if (pre != null) {
                pre.validate();
            }
            JsonNode prov = JSON.readTree(meta.getOrDefault("provenance", "{}"));
            return new Info(c, names, pre, prov);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new WeightsFormatException(file + " has unreadable resnet4j metadata: " + JsonErrors.describe(e));
        } catch (IllegalArgumentException e) {
            throw new WeightsFormatException(file + " has unusable resnet4j metadata: " + e.getMessage());
        }
    }

    /** Rebuilds the network described by the checkpoint on the manager's device and loads its weights. */
    public static Loaded load(Path file, NDManager manager) throws IOException {
        Info info = readInfo(file);
        ResNet net = new ResNet(info.config()).initialize(manager);
        loadInto(file, net);
        return new Loaded(net, info);
    }

    /** Loads a checkpoint's weights into an existing, initialised network of the same architecture. */
    public static Info loadInto(Path file, ResNet net) throws IOException {
        Info info = readInfo(file);
        NDManager manager = net.stateDict().values().iterator().next().getArray().getManager();
        try (NDManager scratch = manager.newSubManager()) {
            StateDicts.load(net, SafeTensors.read(file, scratch).tensors());
        }
        return info;
    }

    /** Saves extra named tensors (e.g. optimizer state) with string metadata, atomically. */
    public static void saveTensors(Path file, Map<String, NDArray> tensors, Map<String, String> meta) throws IOException {
        SafeTensors.write(file, tensors, meta);
    }
}
