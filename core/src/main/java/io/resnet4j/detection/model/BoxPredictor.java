package io.resnet4j.detection.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;

/** torchvision's {@code FastRCNNPredictor}: class logits and class-specific box deltas from box features. */
final class BoxPredictor extends TorchNamedBlock {

    private final int inFeatures;
    private final Linear scores;
    private final Linear deltas;

    BoxPredictor(int inFeatures, int numClasses) {
        this.inFeatures = inFeatures;
        scores = register("cls_score", linear(numClasses));
        deltas = register("bbox_pred", linear(4 * numClasses));
        Layers.pytorchLinearInit(scores, inFeatures);
        Layers.pytorchLinearInit(deltas, inFeatures);
    }

    /** (class logits (R, K), deltas (R, 4K)). */
    NDList forward(ParameterStore ps, NDArray features, boolean training) {
        NDList in = new NDList(features);
        return new NDList(apply(scores, ps, in, training).singletonOrThrow(),
                apply(deltas, ps, in, training).singletonOrThrow());
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputs) {
        long r = inputs[0].get(0);
        long classes = scores.getOutputShapes(inputs)[0].get(1);
        return new Shape[] {new Shape(r, classes), new Shape(r, 4 * classes)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        scores.initialize(manager, dataType, new Shape(1, inFeatures));
        deltas.initialize(manager, dataType, new Shape(1, inFeatures));
    }
}
