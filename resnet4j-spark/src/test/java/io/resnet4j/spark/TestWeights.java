package io.resnet4j.spark;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.resnet4j.image.Preprocessing;
import io.resnet4j.io.Checkpoint;
import io.resnet4j.model.ResNet;
import io.resnet4j.model.ResNetConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Checkpoints made in the tests: random weights, so every output depends on every parameter. */
final class TestWeights {

    static final List<String> CIFAR_CLASSES = List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog",
            "horse", "ship", "truck");

    private TestWeights() {}

    /**
     * A CIFAR ResNet-20 with random weights and random batch-norm statistics (so folding them into
     * the ONNX export is exercised), CIFAR-10's class names and a per-pixel-mean transform.
     */
    static Path resnet20(Path dir) throws IOException {
        System.setProperty("ai.djl.offline", "true");
        Path file = dir.resolve("resnet20-random.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            ResNet net = new ResNet(ResNetConfig.of("resnet20")).initialize(m);
            net.stateDict().forEach((name, p) -> {
                var a = p.getArray();
                if (name.endsWith("running_var") || (name.endsWith(".weight") && a.getShape().dimension() == 1)) {
                    a.set(m.randomUniform(0.5f, 1.5f, a.getShape()).toFloatArray());
                } else if (name.endsWith("running_mean") || name.endsWith(".bias")) {
                    a.set(m.randomNormal(0, 0.1f, a.getShape(), DataType.FLOAT32).toFloatArray());
                }
            });
            float[] mean = new float[3 * 32 * 32];
            for (int i = 0; i < mean.length; i++) {
                mean[i] = 0.4f + 0.1f * (i % 7) / 7f;
            }
            Preprocessing pre = Preprocessing.perPixelMean(mean, new float[] {64f / 255, 64f / 255, 64f / 255}, 32);
            Checkpoint.save(file, net, CIFAR_CLASSES, pre, null);
        }
        return file;
    }
}
