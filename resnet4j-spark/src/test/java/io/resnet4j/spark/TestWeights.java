package io.resnet4j.spark;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.resnet4j.image.Preprocessing;
import io.resnet4j.inference.ImageBatches;
import io.resnet4j.inference.ImageClassifier;
import io.resnet4j.inference.ImageFiles;
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
        try (NDManager m = NDManager.newBaseManager()) {
            return save(randomResNet20(m), dir.resolve("resnet20-random.safetensors"));
        }
    }

    /**
     * {@link #resnet20} whose classifier is the nearest class mean of its own pooled features over
     * {@code perClass} training images of each class: a random network predicts one class for
     * nearly every image, this one spreads its answers over the classes, so a confusion matrix
     * compared against another's has more than one column to get wrong.
     */
    static Path resnet20ClassMeans(Path dir, Path trainFolder, int perClass) throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            ResNet net = randomResNet20(m);
            Path random = save(net, dir.resolve("resnet20-random-head.safetensors"));
            float[][] means = classMeans(random, trainFolder, perClass);
            float[] weight = new float[means.length * means[0].length];
            float[] bias = new float[means.length];
            for (int c = 0; c < means.length; c++) {
                // argmin |f - mean_c|^2 = argmax (mean_c . f - |mean_c|^2 / 2)
                System.arraycopy(means[c], 0, weight, c * means[c].length, means[c].length);
                for (float v : means[c]) {
                    bias[c] -= v * v / 2;
                }
            }
            net.stateDict().get("fc.weight").getArray().set(weight);
            net.stateDict().get("fc.bias").getArray().set(bias);
            return save(net, dir.resolve("resnet20-class-means.safetensors"));
        }
    }

    private static ResNet randomResNet20(NDManager m) {
        System.setProperty("ai.djl.offline", "true");
        ResNet net = new ResNet(ResNetConfig.of("resnet20")).initialize(m);
        net.stateDict().forEach((name, p) -> {
            var a = p.getArray();
            if (name.endsWith("running_var") || (name.endsWith(".weight") && a.getShape().dimension() == 1)) {
                a.set(m.randomUniform(0.5f, 1.5f, a.getShape()).toFloatArray());
            } else if (name.endsWith("running_mean") || name.endsWith(".bias")) {
                a.set(m.randomNormal(0, 0.1f, a.getShape(), DataType.FLOAT32).toFloatArray());
            }
        });
        return net;
    }

    private static Path save(ResNet net, Path file) throws IOException {
        float[] mean = new float[3 * 32 * 32];
        for (int i = 0; i < mean.length; i++) {
            mean[i] = 0.4f + 0.1f * (i % 7) / 7f;
        }
        Preprocessing pre = Preprocessing.perPixelMean(mean, new float[] {64f / 255, 64f / 255, 64f / 255}, 32);
        Checkpoint.save(file, net, CIFAR_CLASSES, pre, null);
        return file;
    }

    private static float[][] classMeans(Path weights, Path trainFolder, int perClass) throws IOException {
        float[][] means = new float[CIFAR_CLASSES.size()][];
        try (ImageClassifier c = ImageClassifier.builder(weights.toString()).engine("onnxruntime").open()) {
            for (int k = 0; k < means.length; k++) {
                List<Path> files = ImageFiles.expand(List.of(trainFolder.resolve(CIFAR_CLASSES.get(k)))).files();
                ImageBatches.Batch b = new ImageBatches(files.subList(0, perClass), c.transform()).next(perClass);
                float[] all = c.features(b.input(), b.size(), 32, 32).values();
                means[k] = new float[all.length / b.size()];
                for (int i = 0; i < all.length; i++) {
                    means[k][i % means[k].length] += all[i] / b.size();
                }
            }
        }
        return means;
    }
}
