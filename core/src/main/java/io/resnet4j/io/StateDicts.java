package io.resnet4j.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Parameter;
import ai.djl.ndarray.types.Shape;
import io.resnet4j.model.ResNet;
import io.resnet4j.model.ResNetConfig;
import io.resnet4j.model.ResNetSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Moves tensors named as in torchvision's state_dict into and out of a {@link ResNet}. Every
 * mismatch is found before anything is written, so a failed load leaves the network untouched.
 */
public final class StateDicts {

    private StateDicts() {}

    /** What differs between a network and a set of tensors. */
    public record Mismatch(List<String> missing, List<String> unexpected, List<String> shapeConflicts) {
        public boolean isEmpty() {
            return missing.isEmpty() && unexpected.isEmpty() && shapeConflicts.isEmpty();
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder();
            if (!missing.isEmpty()) {
                sb.append("missing keys (").append(missing.size()).append("): ").append(abbreviate(missing));
            }
            if (!unexpected.isEmpty()) {
                sb.append(sb.length() > 0 ? "; " : "").append("unexpected keys (").append(unexpected.size())
                        .append("): ").append(abbreviate(unexpected));
            }
            if (!shapeConflicts.isEmpty()) {
                sb.append(sb.length() > 0 ? "; " : "").append("shape conflicts (").append(shapeConflicts.size())
                        .append("): ").append(abbreviate(shapeConflicts));
            }
            return sb.toString();
        }

        private static String abbreviate(List<String> items) {
            return items.size() <= 8 ? String.join(", ", items)
                    : String.join(", ", items.subList(0, 8)) + ", ... (" + (items.size() - 8) + " more)";
        }
    }

    /**
     * Removes the {@code module.} prefix of weights saved through DataParallel and drops
     * {@code num_batches_tracked} buffers, which only PyTorch's momentum-free BN mode uses.
     */
    public static Map<String, NDArray> normalise(Map<String, NDArray> tensors) {
        boolean allPrefixed = !tensors.isEmpty() && tensors.keySet().stream().allMatch(k -> k.startsWith("module."));
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            String key = allPrefixed ? e.getKey().substring("module.".length()) : e.getKey();
            if (!key.endsWith("num_batches_tracked")) {
                out.put(key, e.getValue());
            }
        }
        return out;
    }

    /**
     * Checks, before a network is built, that the configuration has exactly as many parameters as
     * the tensors hold. A network is allocated whole before its weights are compared, so a spec
     * taken from a file (metadata, or names like {@code layer3.99999.conv1.weight}) must not ask
     * for more than the file contains; the exact comparison follows once it is built.
     *
     * @param shapes tensor shapes by name (BN running statistics and counters are not parameters)
     */
    public static void checkParameterCount(String source, ResNetConfig config, Map<String, Shape> shapes)
            throws WeightsFormatException {
        long inFile = 0;
        for (Map.Entry<String, Shape> e : shapes.entrySet()) {
            String k = e.getKey();
            if (!k.endsWith(".running_mean") && !k.endsWith(".running_var") && !k.endsWith("num_batches_tracked")) {
                inFile += e.getValue().size();
            }
        }
        long needed = config.plan().params();
        if (needed != inFile) {
            ResNetSpec s = config.spec();
            throw new WeightsFormatException(source + " describes " + PrintableText.of(s.name()) + " (blocks "
                    + s.blocks() + ", widths " + s.widths() + ", " + config.classes() + " classes), which has "
                    + needed + " parameters, but its tensors hold " + inFile + "; the architecture does not match"
                    + " the weights (corrupt or edited file)");
        }
    }

    /** Compares tensor names and shapes against the network's state_dict. */
    public static Mismatch compare(ResNet net, Map<String, NDArray> tensors) {
        return compare(net.stateDict(), net.config().spec().name(), tensors);
    }

    /** Compares tensor names and shapes against any model's state_dict ({@code model} names it in messages). */
    public static Mismatch compare(Map<String, Parameter> sd, String model, Map<String, NDArray> tensors) {
        List<String> missing = new ArrayList<>();
        List<String> conflicts = new ArrayList<>();
        for (Map.Entry<String, Parameter> e : sd.entrySet()) {
            NDArray t = tensors.get(e.getKey());
            if (t == null) {
                missing.add(e.getKey());
            } else if (!t.getShape().equals(e.getValue().getArray().getShape())) {
                conflicts.add(e.getKey() + " is " + t.getShape() + " in the file but " + e.getValue().getArray().getShape()
                        + " in " + model);
            }
        }
        List<String> unexpected = tensors.keySet().stream().filter(k -> !sd.containsKey(k)).toList();
        return new Mismatch(missing, new ArrayList<>(unexpected), conflicts);
    }

    /**
     * Copies the tensors into the (initialised) network, converting to its data type.
     *
     * @throws WeightsFormatException listing missing keys, unexpected keys and shape conflicts
     */
    public static void load(ResNet net, Map<String, NDArray> tensors) throws WeightsFormatException {
        load(net.stateDict(), net.config().spec().name(), tensors);
    }

    /**
     * Copies the tensors into any model's (initialised) parameters, converting to their data type,
     * after checking that names and shapes match exactly.
     *
     * @throws WeightsFormatException listing missing keys, unexpected keys and shape conflicts
     */
    public static void load(Map<String, Parameter> sd, String model, Map<String, NDArray> tensors)
            throws WeightsFormatException {
        Map<String, NDArray> clean = normalise(tensors);
        Mismatch m = compare(sd, model, clean);
        if (!m.isEmpty()) {
            throw new WeightsFormatException("weights do not fit " + model + ": " + m);
        }
        for (Map.Entry<String, Parameter> e : sd.entrySet()) {
            NDArray target = e.getValue().getArray();
            NDArray source = clean.get(e.getKey());
            NDArray converted = source.getDataType() == target.getDataType() ? source
                    : source.toType(target.getDataType(), false);
            copyInto(target, converted.toDevice(target.getDevice(), false));
        }
    }

    /**
     * Writes a tensor's values into a parameter in place. An index put, because set(Buffer) and
     * copyTo run under libtorch's deprecated AutoNonVariableTypeMode, which prints a 600-character
     * warning; a parameter that records gradients is released from that for the copy, since autograd
     * refuses in-place writes to such leaves.
     */
    public static void copyInto(NDArray target, NDArray values) {
        boolean recordsGradient = target.hasGradient();
        if (recordsGradient) {
            target.setRequiresGradient(false);
        }
        target.set(new NDIndex(":"), values);
        if (recordsGradient) {
            target.setRequiresGradient(true);
        }
    }

    /**
     * The network's tensors under torchvision names, with the {@code num_batches_tracked} buffers
     * torchvision's strict {@code load_state_dict} expects after each BN.
     */
    public static Map<String, NDArray> export(ResNet net, ai.djl.ndarray.NDManager scratch) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, Parameter> e : net.stateDict().entrySet()) {
            out.put(e.getKey(), e.getValue().getArray());
            if (e.getKey().endsWith(".running_var")) {
                String bn = e.getKey().substring(0, e.getKey().length() - ".running_var".length());
                NDArray count = scratch.create(0L);
                out.put(bn + ".num_batches_tracked", count);
            }
        }
        return out;
    }

}
