package io.resnet4j.detection.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.NormalInitializer;

/**
 * The region proposal network's head, torchvision's {@code RPNHead}: a 3x3 convolution with ReLU
 * shared by every level, then per anchor an objectness logit and four box deltas (1x1 convolutions).
 * Weights start normal with std 0.01 and zero bias, as in the Faster R-CNN paper.
 */
final class RpnHead extends TorchNamedBlock {

    private final Conv2d conv;
    private final Conv2d logits;
    private final Conv2d deltas;

    RpnHead(int channels, int anchorsPerLocation) {
        conv = register("conv.0.0", conv(channels, 3));
        logits = register("cls_logits", conv(anchorsPerLocation, 1));
        deltas = register("bbox_pred", conv(4 * anchorsPerLocation, 1));
        setInitializer(new NormalInitializer(0.01f), Parameter.Type.WEIGHT);
        setInitializer(Initializer.ZEROS, Parameter.Type.BIAS);
    }

    /** (objectness (N, A, H, W), deltas (N, 4A, H, W)) of one level. */
    NDList forward(ParameterStore ps, NDArray feature, boolean training) {
        NDArray t = apply(conv, ps, new NDList(feature), training).singletonOrThrow().getNDArrayInternal().relu();
        NDList in = new NDList(t);
        return new NDList(apply(logits, ps, in, training).singletonOrThrow(),
                apply(deltas, ps, in, training).singletonOrThrow());
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputs) {
        Shape in = inputs[0];
        long a = logits.getOutputShapes(new Shape[] {in})[0].get(1);
        return new Shape[] {new Shape(in.get(0), a, in.get(2), in.get(3)), new Shape(in.get(0), 4 * a, in.get(2), in.get(3))};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape s = inputShapes[0];
        conv.initialize(manager, dataType, s);
        logits.initialize(manager, dataType, s);
        deltas.initialize(manager, dataType, s);
    }
}
