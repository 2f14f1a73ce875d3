package io.resnet4j.detection.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A block of convolutions and linear layers whose parameters are named as in torchvision's
 * state_dict (DJL's "weight" and "bias" are PyTorch's names for these layers). Detection blocks take
 * and return several arrays of different meaning, so they are called through typed methods and
 * refuse DJL's untyped forward.
 */
abstract class TorchNamedBlock extends AbstractBlock {

    private final Map<String, Block> layers = new LinkedHashMap<>();

    TorchNamedBlock() {
        super((byte) 1);
    }

    protected final <B extends Block> B register(String name, B block) {
        layers.put(name, block);
        return addChildBlock(name.replace('.', '_'), block);
    }

    /** Parameters under their torchvision names relative to this block, in registration order. */
    final Map<String, Parameter> stateDict() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        layers.forEach((name, block) -> block.getDirectParameters()
                .forEach(p -> out.put(name + "." + p.getKey(), p.getValue())));
        return out;
    }

    static Conv2d conv(int filters, int kernel) {
        return Conv2d.builder().setFilters(filters).setKernelShape(new Shape(kernel, kernel))
                .optPadding(new Shape(kernel / 2, kernel / 2)).optBias(true).build();
    }

    static Linear linear(int units) {
        return Linear.builder().setUnits(units).optBias(true).build();
    }

    static NDList apply(Block block, ParameterStore ps, NDList x, boolean training) {
        return block.forward(ps, x, training);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " is called through its typed methods");
    }
}
