package io.resnet4j.detection.model;

import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.initializer.UniformInitializer;

/** Initialisation shared by the detection heads. */
final class Layers {

    private Layers() {}

    /** PyTorch's nn.Linear default, which torchvision's box heads keep: weight and bias uniform in +-1/sqrt(fan_in). */
    static void pytorchLinearInit(Linear layer, long fanIn) {
        float bound = (float) (1 / Math.sqrt(fanIn));
        layer.setInitializer(new UniformInitializer(bound), Parameter.Type.WEIGHT);
        layer.setInitializer(new UniformInitializer(bound), Parameter.Type.BIAS);
    }
}
