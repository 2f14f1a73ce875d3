package io.resnet4j.detection.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;

/** torchvision's {@code TwoMLPHead}: pooled box features flattened, then two fully connected layers with ReLU. */
final class TwoMlpHead extends TorchNamedBlock {

    private final long inFeatures;
    private final int representation;
    private final Linear fc6;
    private final Linear fc7;

    TwoMlpHead(long inFeatures, int representation) {
        this.inFeatures = inFeatures;
        this.representation = representation;
        fc6 = register("fc6", linear(representation));
        fc7 = register("fc7", linear(representation));
        Layers.pytorchLinearInit(fc6, inFeatures);
        Layers.pytorchLinearInit(fc7, representation);
    }

    /** (R, C, P, P) pooled features to (R, representation). */
    NDArray forward(ParameterStore ps, NDArray pooled, boolean training) {
        NDArray x = pooled.reshape(pooled.getShape().get(0), -1);
        x = apply(fc6, ps, new NDList(x), training).singletonOrThrow().getNDArrayInternal().relu();
        return apply(fc7, ps, new NDList(x), training).singletonOrThrow().getNDArrayInternal().relu();
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputs) {
        return new Shape[] {new Shape(inputs[0].get(0), representation)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        fc6.initialize(manager, dataType, new Shape(1, inFeatures));
        fc7.initialize(manager, dataType, new Shape(1, representation));
    }
}
