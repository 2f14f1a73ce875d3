package io.resnet4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import io.resnet4j.io.WeightsLoader;
import io.resnet4j.model.ResNet;
import io.resnet4j.model.ResNetConfig;
import java.io.IOException;
import java.util.Arrays;
import java.util.Map;

/**
 * Starts a network from other weights (a resnet4j checkpoint, a torchvision .pth/.safetensors or a
 * torchvision reference, or a network in memory): every tensor is copied, except the classifier
 * when it is replaced; the replacement keeps the fresh initialisation of the target net (PyTorch's
 * nn.Linear default, as torchvision uses).
 */
public final class FineTuning {

    private FineTuning() {}

    /** The architecture stored in (or inferred from) a weights file: what a fine-tuned net must be built as. */
    public static ResNetConfig sourceConfig(String weights, NDManager manager) throws IOException {
        try (NDManager scratch = manager.newSubManager()) {
            return WeightsLoader.load(weights, WeightsLoader.Options.defaults(), scratch).net().config();
        }
    }

    /**
     * @param newHead keep {@code target}'s freshly initialised fc instead of copying the source's
     * @throws IllegalArgumentException naming the first tensor that is missing or has another shape
     */
    public static void initialise(ResNet target, String weights, boolean newHead, NDManager manager) throws IOException {
        try (NDManager scratch = manager.newSubManager()) {
            WeightsLoader.Loaded loaded = WeightsLoader.load(weights, WeightsLoader.Options.defaults(), scratch);
            copyWeights(loaded.net(), target, newHead, weights);
            loaded.net().getParameters().forEach(p -> p.getValue().close());
        }
    }

    /**
     * Copies every tensor (BN statistics included) of one network into another of the same
     * architecture, on the target's device.
     *
     * @param newHead leave the target's classifier as it is
     * @throws IllegalArgumentException naming the first tensor that is missing or has another shape
     */
    public static void copyWeights(ResNet source, ResNet target, boolean newHead) {
        copyWeights(source, target, newHead, "the source network");
    }

    private static void copyWeights(ResNet source, ResNet target, boolean newHead, String sourceName) {
        Map<String, Parameter> src = source.stateDict();
        for (Map.Entry<String, Parameter> e : target.stateDict().entrySet()) {
            String name = e.getKey();
            if (newHead && name.startsWith("fc.")) {
                continue;
            }
            Parameter from = src.get(name);
            if (from == null) {
                throw new IllegalArgumentException(sourceName + " has no tensor " + name + "; fine-tuning needs weights"
                        + " of the same architecture (" + target.config().spec().name() + ")");
            }
            NDArray a = from.getArray();
            NDArray b = e.getValue().getArray();
            if (!a.getShape().equals(b.getShape())) {
                throw new IllegalArgumentException(name + " is " + a.getShape() + " in " + sourceName + " but "
                        + b.getShape() + " in the network" + (name.startsWith("fc.")
                                ? "; replace the classifier to train another number of classes" : ""));
            }
            io.resnet4j.io.StateDicts.copyInto(b, a.toDevice(b.getDevice(), false));
        }
    }

    /** Whether two arrays hold bit-identical values (for tests and run checks). */
    public static boolean bitIdentical(NDArray a, NDArray b) {
        return a.getShape().equals(b.getShape()) && Arrays.equals(a.toByteArray(), b.toByteArray());
    }
}
