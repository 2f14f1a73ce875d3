package io.resnet4j.model;

import java.util.ArrayList;
import java.util.List;

/**
 * A configuration expanded into layers with their shapes: the single description both the DJL
 * builder ({@link ResNet}) and the statistics ({@link #stats()}) are derived from, so the
 * parameter and multiply-add counts always describe the network that is actually built.
 *
 * @param config the configuration this plan expands
 * @param stemConv the stem convolution
 * @param stemOutSize spatial size after the stem (and max-pool, if any)
 * @param units every residual (or plain) unit in forward order
 * @param featureChannels channels entering global average pooling
 */
public record ResNetPlan(
        ResNetConfig config, ConvPlan stemConv, int stemOutSize, List<UnitPlan> units, int featureChannels) {

    /** How a unit's input reaches its output addition. */
    public enum ShortcutKind {
        /** No shortcut: a plain unit. */
        NONE,
        /** The input itself. */
        IDENTITY,
        /** Option A where dimensions change: stride-2 subsampling and zero-padded channels. */
        SUBSAMPLE_PAD,
        /** 1x1 convolution (with BN in post-activation nets). */
        PROJECTION
    }

    /**
     * One convolution.
     *
     * @param name torchvision-style name relative to its unit, e.g. {@code conv2}
     */
    public record ConvPlan(String name, int inChannels, int outChannels, int kernel, int stride, int inSize) {
        public int padding() {
            return kernel / 2;
        }

        public int outSize() {
            return convOut(inSize, kernel, stride, padding());
        }

        public long params() {
            return (long) kernel * kernel * inChannels * outChannels;
        }

        public long macs() {
            long out = outSize();
            return params() * out * out;
        }
    }

    /**
     * One unit.
     *
     * @param name torchvision-style prefix, e.g. {@code layer2.0}
     * @param stage zero-based stage index
     * @param convs the residual branch's convolutions in order
     * @param shortcut how the input is carried to the addition
     * @param projection the 1x1 projection when {@code shortcut == PROJECTION}, else null
     */
    public record UnitPlan(
            String name, int stage, int inChannels, int outChannels, int stride, int inSize,
            List<ConvPlan> convs, ShortcutKind shortcut, ConvPlan projection) {

        public int outSize() {
            return convs.get(convs.size() - 1).outSize();
        }

        /** Trainable parameters: convolutions and the BN scale/shift of each. */
        public long params(boolean preActivation) {
            long p = 0;
            for (ConvPlan c : convs) {
                // Post-activation: BN after each conv (its output channels); pre-activation: before (its input).
                p += c.params() + 2L * (preActivation ? c.inChannels() : c.outChannels());
            }
            if (projection != null) {
                p += projection.params() + (preActivation ? 0 : 2L * projection.outChannels());
            }
            return p;
        }

        public long macs() {
            long m = convs.stream().mapToLong(ConvPlan::macs).sum();
            return projection == null ? m : m + projection.macs();
        }
    }

    /** Output size of a convolution or pooling window: floor((in + 2p - k) / s) + 1. */
    public static int convOut(int in, int kernel, int stride, int padding) {
        return Math.floorDiv(in + 2 * padding - kernel, stride) + 1;
    }

    static ResNetPlan of(ResNetConfig config) {
        int[] strides = new int[config.spec().stages()];
        java.util.Arrays.fill(strides, 2);
        strides[0] = 1;
        return of(config, strides);
    }

    /**
     * This plan with the first unit of one stage striding by {@code stride} instead: the paper's
     * detection head runs conv5_x on 14x14 RoI features with stride 1 in its first unit. The
     * configuration (and so a classification checkpoint's metadata) does not record the change;
     * its owner does.
     *
     * @throws IllegalArgumentException for a stage that does not exist or a stride other than 1 or 2
     */
    public ResNetPlan withStageStride(int stage, int stride) {
        int stages = config.spec().stages();
        if (stage < 0 || stage >= stages || stride < 1 || stride > 2) {
            throw new IllegalArgumentException("stage " + stage + " stride " + stride + " is not possible: "
                    + config.spec().name() + " has stages 0 to " + (stages - 1) + ", and a stage strides by 1 or 2");
        }
        int[] strides = new int[stages];
        for (UnitPlan u : units) {
            if (u.name().endsWith(".0")) {
                strides[u.stage()] = u.stride();
            }
        }
        strides[stage] = stride;
        return of(config, strides);
    }

    private static ResNetPlan of(ResNetConfig config, int[] firstStrides) {
        ResNetSpec spec = config.spec();
        Stem stem = spec.stem();
        ConvPlan stemConv = new ConvPlan("conv1", 3, spec.stemChannels(), stem.kernel(), stem.stride(), config.inputSize());
        int size = stem.outputSize(config.inputSize());
        int channels = spec.stemChannels();
        BlockType type = spec.blockType();
        int strideIndex = type.strideConvIndex(config.stridePlacement());
        List<UnitPlan> units = new ArrayList<>();
        for (int s = 0; s < spec.stages(); s++) {
            int width = spec.widths().get(s);
            for (int i = 0; i < spec.blocks().get(s); i++) {
                int stride = i == 0 ? firstStrides[s] : 1;
                List<ConvPlan> convs = new ArrayList<>();
                int c = channels;
                int sz = size;
                for (int k = 0; k < type.kernels().size(); k++) {
                    int out = type.convOutChannels(k, width);
                    ConvPlan conv = new ConvPlan("conv" + (k + 1), c, out, type.kernels().get(k),
                            k == strideIndex ? stride : 1, sz);
                    convs.add(conv);
                    c = out;
                    sz = conv.outSize();
                }
                boolean dimsChange = stride != 1 || channels != c;
                ShortcutKind kind;
                if (!spec.residual()) {
                    kind = ShortcutKind.NONE;
                } else if (config.shortcut() == Shortcut.C || (dimsChange && config.shortcut() == Shortcut.B)) {
                    kind = ShortcutKind.PROJECTION;
                } else {
                    kind = dimsChange ? ShortcutKind.SUBSAMPLE_PAD : ShortcutKind.IDENTITY;
                }
                ConvPlan projection = kind == ShortcutKind.PROJECTION
                        ? new ConvPlan("downsample.0", channels, c, 1, stride, size) : null;
                units.add(new UnitPlan("layer" + (s + 1) + "." + i, s, channels, c, stride, size, convs, kind, projection));
                channels = c;
                size = sz;
            }
        }
        return new ResNetPlan(config, stemConv, stem.outputSize(config.inputSize()), List.copyOf(units), channels);
    }

    /** Per-stage parameters and multiply-adds, Table-1 style. */
    public ModelStats stats() {
        ResNetSpec spec = config.spec();
        boolean preact = spec.preActivation();
        List<ModelStats.Row> rows = new ArrayList<>();
        long stemParams = stemConv.params() + (spec.stemNorm() ? 2L * stemConv.outChannels() : 0);
        rows.add(new ModelStats.Row("conv1", stemOutSize, stemConv.outChannels(), 0, stemParams, stemConv.macs(),
                stemDescription()));
        for (int s = 0; s < spec.stages(); s++) {
            final int stage = s;
            List<UnitPlan> inStage = units.stream().filter(u -> u.stage() == stage).toList();
            long params = inStage.stream().mapToLong(u -> u.params(preact)).sum();
            long macs = inStage.stream().mapToLong(UnitPlan::macs).sum();
            UnitPlan last = inStage.get(inStage.size() - 1);
            rows.add(new ModelStats.Row("conv" + (s + 2) + "_x", last.outSize(), last.outChannels(), inStage.size(),
                    params, macs, unitDescription(inStage.get(0))));
        }
        int classes = config.classes();
        long headParams = (long) featureChannels * classes + classes + (preact ? 2L * featureChannels : 0);
        rows.add(new ModelStats.Row("fc", 1, classes, 0, headParams, (long) featureChannels * classes,
                (preact ? "BN, ReLU, " : "") + "global average pool, " + classes + "-d fc"));
        return new ModelStats(config, rows);
    }

    private String stemDescription() {
        Stem stem = config.spec().stem();
        String s = stem.kernel() + "x" + stem.kernel() + ", " + stemConv.outChannels() + ", stride " + stem.stride();
        return stem.maxPool() ? s + "; 3x3 max pool, stride 2" : s;
    }

    private String unitDescription(UnitPlan unit) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < unit.convs().size(); i++) {
            ConvPlan c = unit.convs().get(i);
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(c.kernel()).append('x').append(c.kernel()).append(", ").append(c.outChannels());
        }
        return sb.append("]").toString();
    }

    /** Trainable parameters of the whole network. */
    public long params() {
        return stats().totalParams();
    }

    /** Multiply-adds of convolutions and classifier for one image. */
    public long macs() {
        return stats().totalMacs();
    }
}
