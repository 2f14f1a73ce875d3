package io.resnet4j.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.resnet4j.model.GradMode;
import io.resnet4j.model.ResNet;
import java.nio.FloatBuffer;

/**
 * What the test protocols ask of a network: raw class scores of a preprocessed NCHW batch. The
 * eager network is one ({@link #eager}); an {@code ImageClassifier} gives one on whichever engine
 * it runs, so every protocol runs on ONNX Runtime as well as on libtorch.
 */
public interface Scorer {

    /** Outputs per image. */
    int classes();

    /** Logits ({@code n x classes}, row-major) of {@code n} images of {@code height x width}. */
    float[] logits(float[] input, int n, int height, int width);

    /** The eager network in inference mode (BN with its running statistics); each batch in its own sub-manager. */
    static Scorer eager(ResNet net, NDManager manager) {
        ParameterStore ps = new ParameterStore(manager, false);
        return new Scorer() {
            @Override
            public int classes() {
                return net.config().classes();
            }

            @Override
            public float[] logits(float[] input, int n, int height, int width) {
                GradMode.off();
                try (NDManager scope = manager.newSubManager()) {
                    NDArray x = scope.create(FloatBuffer.wrap(input, 0, n * 3 * height * width),
                            new Shape(n, 3, height, width));
                    return net.forward(ps, new NDList(x), false).singletonOrThrow().toFloatArray();
                }
            }
        };
    }
}
