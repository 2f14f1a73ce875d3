package io.resnet4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One unit of a residual (or plain) network, built from a {@link ResNetPlan.UnitPlan}. A single
 * class covers the basic and bottleneck shapes, post- and pre-activation, and the plain nets:
 * those differ only in the list of convolutions, the order of BN/ReLU, and whether the input is
 * added back.
 *
 * <pre>
 * post-activation (2015):  y = ReLU(BN(conv_k(... ReLU(BN(conv_1(x))))) + shortcut(x))
 * pre-activation  (2016):  a = ReLU(BN_1(x));  y = conv_k(ReLU(BN_k(... conv_1(a)))) + shortcut(x or a)
 * plain:                   the same without "+ shortcut"
 * </pre>
 *
 * Child names follow torchvision ({@code conv1}, {@code bn1}, ..., {@code downsample.0/1}).
 */
public final class ResidualUnit extends AbstractBlock {

    private static final byte VERSION = 1;

    private final ResNetPlan.UnitPlan plan;
    private final boolean preActivation;
    private final List<Conv2d> convs = new ArrayList<>();
    private final List<BatchNorm> norms = new ArrayList<>();
    private final Conv2d projection;
    private final BatchNorm projectionNorm;
    private final Map<String, Block> namedLayers = new LinkedHashMap<>();
    private ResponseProbe probe;

    ResidualUnit(ResNetPlan.UnitPlan plan, boolean preActivation) {
        super(VERSION);
        this.plan = plan;
        this.preActivation = preActivation;
        for (int i = 0; i < plan.convs().size(); i++) {
            ResNetPlan.ConvPlan c = plan.convs().get(i);
            // torchvision's state_dict order: conv1, bn1, conv2, bn2, ...; pre-activation puts bn_i first.
            Conv2d conv = ResNet.conv(c.outChannels(), c.kernel(), c.stride());
            BatchNorm norm = ResNet.batchNorm();
            if (preActivation) {
                register("bn" + (i + 1), norm);
                register(c.name(), conv);
            } else {
                register(c.name(), conv);
                register("bn" + (i + 1), norm);
            }
            convs.add(conv);
            norms.add(norm);
        }
        if (plan.projection() != null) {
            projection = register("downsample.0", ResNet.conv(plan.outChannels(), 1, plan.stride()));
            // The 2016 paper's projection in pre-activation units is a bare 1x1 conv.
            projectionNorm = preActivation ? null : register("downsample.1", ResNet.batchNorm());
        } else {
            projection = null;
            projectionNorm = null;
        }
    }

    private <B extends Block> B register(String name, B block) {
        namedLayers.put(name, block);
        return addChildBlock(name, block);
    }

    /** Layers by torchvision name relative to this unit, in state_dict order. */
    Map<String, Block> namedLayers() {
        return namedLayers;
    }

    public ResNetPlan.UnitPlan plan() {
        return plan;
    }

    /** The last BN of the residual branch (zero-initialised on request). */
    BatchNorm lastNorm() {
        return norms.get(norms.size() - 1);
    }

    /** Installs (or with null removes) a probe that sees every 3x3 conv's response after its BN. */
    void setProbe(ResponseProbe probe) {
        this.probe = probe;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        return new NDList(preActivation ? forwardPre(ps, x, training) : forwardPost(ps, x, training));
    }

    private NDArray forwardPost(ParameterStore ps, NDArray x, boolean training) {
        NDArray h = x;
        int last = convs.size() - 1;
        for (int i = 0; i <= last; i++) {
            h = apply(convs.get(i), ps, h, training);
            h = apply(norms.get(i), ps, h, training);
            if (probe != null && plan.convs().get(i).kernel() == 3) {
                probe.record(plan.name() + "." + plan.convs().get(i).name(), h);
            }
            if (i < last) {
                h = h.getNDArrayInternal().relu();
            }
        }
        if (plan.shortcut() != ResNetPlan.ShortcutKind.NONE) {
            h = h.add(shortcut(ps, x, training));
        }
        return h.getNDArrayInternal().relu();
    }

    private NDArray forwardPre(ParameterStore ps, NDArray x, boolean training) {
        NDArray a = apply(norms.get(0), ps, x, training).getNDArrayInternal().relu();
        NDArray h = apply(convs.get(0), ps, a, training);
        for (int i = 1; i < convs.size(); i++) {
            NDArray n = apply(norms.get(i), ps, h, training);
            if (probe != null && plan.convs().get(i - 1).kernel() == 3) {
                probe.record(plan.name() + "." + plan.convs().get(i - 1).name(), n);
            }
            h = apply(convs.get(i), ps, n.getNDArrayInternal().relu(), training);
        }
        if (plan.shortcut() == ResNetPlan.ShortcutKind.NONE) {
            return h;
        }
        // A projection sees the pre-activated input (it is already normalised); identities see x itself.
        NDArray source = plan.shortcut() == ResNetPlan.ShortcutKind.PROJECTION ? a : x;
        return h.add(shortcut(ps, source, training));
    }

    private NDArray shortcut(ParameterStore ps, NDArray x, boolean training) {
        switch (plan.shortcut()) {
            case IDENTITY:
                return x;
            case PROJECTION:
                NDArray p = apply(projection, ps, x, training);
                return projectionNorm == null ? p : apply(projectionNorm, ps, p, training);
            case SUBSAMPLE_PAD:
                return subsampleAndPad(x, plan.stride(), plan.outChannels());
            default:
                throw new IllegalStateException("no shortcut in " + plan.name());
        }
    }

    /**
     * Option A: keep every stride-th pixel and pad the new channels with zeros, split evenly before
     * and after the existing ones (as the widely used PyTorch CIFAR ResNets do, so their weights
     * compute the same function here).
     */
    static NDArray subsampleAndPad(NDArray x, int stride, int outChannels) {
        NDArray s = stride == 1 ? x : x.get(new NDIndex(":, :, ::" + stride + ", ::" + stride));
        long extra = outChannels - s.getShape().get(1);
        if (extra == 0) {
            return s;
        }
        long before = extra / 2;
        long after = extra - before;
        // Padding pairs are given from the last axis backwards: (W), (H), (C).
        return s.pad(new Shape(0, 0, 0, 0, before, after), 0);
    }

    private static NDArray apply(Block block, ParameterStore ps, NDArray x, boolean training) {
        return block.forward(ps, new NDList(x), training).singletonOrThrow();
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = inputShapes[0];
        for (Conv2d conv : convs) {
            s = conv.getOutputShapes(new Shape[] {s})[0];
        }
        return new Shape[] {s};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape s = inputShapes[0];
        for (int i = 0; i < convs.size(); i++) {
            if (preActivation) {
                norms.get(i).initialize(manager, dataType, s);
            }
            convs.get(i).initialize(manager, dataType, s);
            s = convs.get(i).getOutputShapes(new Shape[] {s})[0];
            if (!preActivation) {
                norms.get(i).initialize(manager, dataType, s);
            }
        }
        if (projection != null) {
            projection.initialize(manager, dataType, inputShapes[0]);
            if (projectionNorm != null) {
                projectionNorm.initialize(manager, dataType, projection.getOutputShapes(inputShapes)[0]);
            }
        }
    }
}
