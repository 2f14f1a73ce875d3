package io.resnet4j.detection.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.XavierInitializer;
import java.util.ArrayList;
import java.util.List;

/**
 * A feature pyramid (Lin et al., 2017) as torchvision's {@code FeaturePyramidNetwork} with {@code
 * LastLevelMaxPool}: 1x1 lateral convolutions to a common width, a top-down path of nearest-neighbour
 * upsampling and addition, a 3x3 convolution on every merged map, and one more level subsampled from
 * the coarsest (kernel 1, stride 2) for the RPN's largest anchors.
 */
final class Fpn extends TorchNamedBlock {

    private final int[] inChannels;
    private final int outChannels;
    private final List<Conv2d> inner = new ArrayList<>();
    private final List<Conv2d> layer = new ArrayList<>();

    Fpn(int[] inChannels, int outChannels) {
        this.inChannels = inChannels.clone();
        this.outChannels = outChannels;
        for (int i = 0; i < inChannels.length; i++) {
            inner.add(register("inner_blocks." + i + ".0", conv(outChannels, 1)));
        }
        for (int i = 0; i < inChannels.length; i++) {
            layer.add(register("layer_blocks." + i + ".0", conv(outChannels, 3)));
        }
        // torchvision: kaiming_uniform_(a=1), i.e. uniform in +-sqrt(3 / fan_in); zero bias.
        setInitializer(new XavierInitializer(XavierInitializer.RandomType.UNIFORM, XavierInitializer.FactorType.IN, 3),
                Parameter.Type.WEIGHT);
        setInitializer(Initializer.ZEROS, Parameter.Type.BIAS);
    }

    /** The pyramid of the backbone's stage outputs (finest first): one map per input, then the extra level. */
    List<NDArray> forward(ParameterStore ps, List<NDArray> stages, boolean training) {
        int last = stages.size() - 1;
        NDArray lastInner = conv(inner.get(last), ps, stages.get(last), training);
        NDArray[] results = new NDArray[stages.size()];
        results[last] = conv(layer.get(last), ps, lastInner, training);
        for (int i = last - 1; i >= 0; i--) {
            NDArray lateral = conv(inner.get(i), ps, stages.get(i), training);
            long[] size = {lateral.getShape().get(2), lateral.getShape().get(3)};
            NDArray topDown = lastInner.getNDArrayInternal().interpolation(size, 0, false);
            lastInner = lateral.add(topDown);
            results[i] = conv(layer.get(i), ps, lastInner, training);
        }
        List<NDArray> out = new ArrayList<>(List.of(results));
        out.add(Pool.maxPool2d(results[last], new Shape(1, 1), new Shape(2, 2), new Shape(0, 0), false));
        return out;
    }

    private static NDArray conv(Conv2d c, ParameterStore ps, NDArray x, boolean training) {
        return apply(c, ps, new NDList(x), training).singletonOrThrow();
    }

    @Override
    public Shape[] getOutputShapes(Shape[] stages) {
        Shape[] out = new Shape[stages.length + 1];
        for (int i = 0; i < stages.length; i++) {
            out[i] = new Shape(stages[i].get(0), outChannels, stages[i].get(2), stages[i].get(3));
        }
        Shape last = out[stages.length - 1];
        out[stages.length] = new Shape(last.get(0), outChannels, (last.get(2) + 1) / 2, (last.get(3) + 1) / 2);
        return out;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape[] out = getOutputShapes(inputShapes);
        for (int i = 0; i < inChannels.length; i++) {
            inner.get(i).initialize(manager, dataType, inputShapes[i]);
            layer.get(i).initialize(manager, dataType, out[i]);
        }
    }
}
