package io.resnet4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.UniformInitializer;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A network of the ResNet family as a DJL {@link Block}, built from a {@link ResNetConfig} by way
 * of its {@link ResNetPlan}. Every name in {@link #stateDict()} is the torchvision state_dict
 * name, for the CIFAR and pre-activation nets too, so weights move between resnet4j and PyTorch
 * without a mapping table.
 *
 * <p>Initialisation as the paper (section 3.4, citing He et al. 2015b) and torchvision: conv
 * weights normal with std sqrt(2 / fan_out); BN gamma 1, beta 0; the classifier uniform in
 * +-1/sqrt(fan_in) (PyTorch's nn.Linear default, which torchvision keeps).
 */
public final class ResNet extends AbstractBlock {

    private static final byte VERSION = 1;
    /** PyTorch's BatchNorm2d defaults: eps 1e-5, running average weight 0.1 for the new batch. */
    public static final float BN_EPSILON = 1e-5f;
    static final float BN_MOMENTUM = 0.9f;

    private final ResNetConfig config;
    private final ResNetPlan plan;
    private final Conv2d stemConv;
    private final BatchNorm stemNorm;
    private final List<ResidualUnit> units = new ArrayList<>();
    private final BatchNorm finalNorm;
    private final Linear fc;
    private final Map<String, Block> namedLayers = new LinkedHashMap<>();
    private int frozenPrefix;

    /** Builds the network for a configuration (parameters are allocated by {@link #initialize}). */
    public ResNet(ResNetConfig config) {
        this(Objects.requireNonNull(config, "config: use ResNetConfig.of(\"resnet50\") or ResNet.builder()").plan());
    }

    /**
     * Builds the network for a plan, which may differ from its configuration's own (see {@link
     * ResNetPlan#withStageStride}); checkpoints describe a network by its configuration alone.
     */
    public ResNet(ResNetPlan plan) {
        super(VERSION);
        this.plan = Objects.requireNonNull(plan, "plan: use config.plan()");
        this.config = plan.config();
        ResNetSpec spec = config.spec();
        stemConv = register("conv1", conv(spec.stemChannels(), spec.stem().kernel(), spec.stem().stride()));
        stemNorm = spec.stemNorm() ? register("bn1", batchNorm()) : null;
        for (ResNetPlan.UnitPlan u : plan.units()) {
            ResidualUnit unit = addChildBlock(u.name(), new ResidualUnit(u, spec.preActivation()));
            for (Map.Entry<String, Block> e : unit.namedLayers().entrySet()) {
                namedLayers.put(u.name() + "." + e.getKey(), e.getValue());
            }
            if (config.zeroInitLastGamma() && u.shortcut() != ResNetPlan.ShortcutKind.NONE) {
                unit.lastNorm().setInitializer(Initializer.ZEROS, Parameter.Type.GAMMA);
            }
            units.add(unit);
        }
        // Pre-activation nets end with BN-ReLU before pooling; "bn2" would clash in meaning with
        // the stem, so the layer takes timm's name for it.
        finalNorm = spec.preActivation() ? register("norm", batchNorm()) : null;
        fc = register("fc", Linear.builder().setUnits(config.classes()).build());

        setInitializer(new XavierInitializer(XavierInitializer.RandomType.GAUSSIAN, XavierInitializer.FactorType.OUT, 2),
                p -> p.getType() == Parameter.Type.WEIGHT);
        float bound = (float) (1 / Math.sqrt(plan.featureChannels()));
        fc.setInitializer(new UniformInitializer(bound), Parameter.Type.WEIGHT);
        fc.setInitializer(new UniformInitializer(bound), Parameter.Type.BIAS);
    }

    /** A DJL-style builder: {@code ResNet.builder().setModel("resnet50").optClasses(10).build()}. */
    public static Builder builder() {
        return new Builder();
    }

    static Conv2d conv(int filters, int kernel, int stride) {
        int pad = kernel / 2;
        return Conv2d.builder()
                .setFilters(filters)
                .setKernelShape(new Shape(kernel, kernel))
                .optStride(new Shape(stride, stride))
                .optPadding(new Shape(pad, pad))
                .optBias(false) // BN follows (or precedes) every conv, so a bias would be redundant
                .build();
    }

    static BatchNorm batchNorm() {
        return BatchNorm.builder().optEpsilon(BN_EPSILON).optMomentum(BN_MOMENTUM).build();
    }

    private <B extends Block> B register(String name, B block) {
        namedLayers.put(name, block);
        return addChildBlock(name, block);
    }

    public ResNetConfig config() {
        return config;
    }

    public ResNetPlan plan() {
        return plan;
    }

    /** Units in forward order. */
    public List<ResidualUnit> units() {
        return Collections.unmodifiableList(units);
    }

    /** Allocates and initialises the parameters on the manager's device, for the configured input size. */
    public ResNet initialize(NDManager manager) {
        initialize(manager, DataType.FLOAT32, new Shape(1, 3, config.inputSize(), config.inputSize()));
        return this;
    }

    /**
     * Keeps the first layers fixed while the rest trains (fine-tuning): 0 freezes nothing, 1 the stem
     * (the paper's conv1 with its BN), k >= 2 the stem and stages conv2_x..convk_x. In a training
     * forward pass the frozen part runs in inference mode, so its BN layers normalise with their
     * running statistics and do not update them, and its output is detached from the autograd graph,
     * so no gradient reaches its weights. Inference passes are unchanged.
     *
     * @throws IllegalArgumentException when k exceeds the stem plus the number of stages
     */
    public ResNet setFrozenPrefix(int k) {
        int max = config.spec().stages() + 1;
        if (k < 0 || k > max) {
            throw new IllegalArgumentException("cannot freeze " + k + " layers of " + config.spec().name()
                    + ": choose conv1 to conv" + max + "_x");
        }
        frozenPrefix = k;
        return this;
    }

    public int frozenPrefix() {
        return frozenPrefix;
    }

    /**
     * Parses a {@code --freeze-until} value into a frozen prefix: the paper's names ({@code conv1},
     * {@code conv4_x} or {@code conv4}) or torchvision's ({@code layer3} = conv4_x); "none" is 0.
     */
    public static int parseFrozenPrefix(String name) {
        String n = name.trim().toLowerCase(java.util.Locale.ROOT);
        if (n.equals("none")) {
            return 0;
        }
        try {
            if (n.startsWith("conv")) {
                String d = n.substring(4).replace("_x", "");
                return Integer.parseInt(d);
            }
            if (n.startsWith("layer")) {
                return Integer.parseInt(n.substring(5)) + 1;
            }
        } catch (NumberFormatException e) {
            // fall through to the message below
        }
        throw new IllegalArgumentException("--freeze-until takes conv1, conv2_x .. conv5_x (or layer1..layer4, or"
                + " none), got " + name);
    }

    /** Whether a state_dict entry belongs to the frozen prefix. */
    public boolean isFrozen(String stateDictName) {
        if (frozenPrefix == 0) {
            return false;
        }
        if (stateDictName.startsWith("conv1.") || stateDictName.startsWith("bn1.")) {
            return true;
        }
        for (ResidualUnit u : units) {
            if (stateDictName.startsWith(u.plan().name() + ".")) {
                return unitFrozen(u);
            }
        }
        return false;
    }

    private boolean unitFrozen(ResidualUnit u) {
        return u.plan().stage() + 2 <= frozenPrefix;
    }

    /** Installs a probe on every unit (null removes it); see {@link ResponseProbe}. */
    public void setResponseProbe(ResponseProbe probe) {
        units.forEach(u -> u.setProbe(probe));
    }

    /**
     * Parameters and BN running statistics under their torchvision names, in torchvision's
     * state_dict order ({@code num_batches_tracked} buffers are not kept; writers add them).
     */
    public Map<String, Parameter> stateDict() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        for (Map.Entry<String, Block> e : namedLayers.entrySet()) {
            for (var p : e.getValue().getDirectParameters()) {
                out.put(e.getKey() + "." + torchName(p.getKey()), p.getValue());
            }
        }
        return out;
    }

    /** The device the parameters live on (requires {@link #initialize}). */
    public ai.djl.Device device() {
        return stateDict().values().iterator().next().getArray().getDevice();
    }

    /** Layers by torchvision name, in state_dict order. */
    public Map<String, Block> namedLayers() {
        return Collections.unmodifiableMap(namedLayers);
    }

    private static String torchName(String djlName) {
        switch (djlName) {
            case "gamma":
                return "weight";
            case "beta":
                return "bias";
            case "runningMean":
                return "running_mean";
            case "runningVar":
                return "running_var";
            default:
                return djlName;
        }
    }

    /** Trainable parameters actually allocated (requires {@link #initialize}). */
    public long parameterCount() {
        long n = 0;
        for (var p : getParameters()) {
            if (p.getValue().requiresGradient()) {
                n += p.getValue().getArray().getShape().size();
            }
        }
        return n;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        if (x.getShape().dimension() != 4 || x.getShape().get(1) != 3) {
            throw new IllegalArgumentException("expected input of shape (N, 3, H, W), got " + x.getShape());
        }
        return new NDList(apply(fc, ps, pool(ps, trunk(ps, x, training), training), training));
    }

    /** Stem and units; with a frozen prefix, its part runs in inference mode and detached (see setFrozenPrefix). */
    private NDArray trunk(ParameterStore ps, NDArray x, boolean training) {
        if (!training || frozenPrefix == 0) {
            return forwardUnits(ps, stem(ps, x, training), training);
        }
        NDArray h = stem(ps, x, false);
        int i = 0;
        while (i < units.size() && unitFrozen(units.get(i))) {
            h = apply(units.get(i++), ps, h, false);
        }
        h = h.stopGradient();
        for (; i < units.size(); i++) {
            h = apply(units.get(i), ps, h, true);
        }
        return h;
    }

    /**
     * The final feature map (N, C, h, w) the classifier pools over: the fully-convolutional form's
     * input (for pre-activation nets after the final BN-ReLU). Inference mode.
     */
    public NDArray featureMap(ParameterStore ps, NDArray x) {
        NDArray h = trunk(ps, x, false);
        if (finalNorm != null) {
            h = apply(finalNorm, ps, h, false).getNDArrayInternal().relu();
        }
        return h;
    }

    /** The classifier layer (its weight is (classes, featureChannels), its bias (classes)). */
    public Linear classifier() {
        return fc;
    }

    private NDArray stem(ParameterStore ps, NDArray x, boolean training) {
        NDArray h = apply(stemConv, ps, x, training);
        if (stemNorm != null) {
            h = apply(stemNorm, ps, h, training).getNDArrayInternal().relu();
        }
        if (config.spec().stem().maxPool()) {
            h = Pool.maxPool2d(h, new Shape(3, 3), new Shape(2, 2), new Shape(1, 1), false);
        }
        return h;
    }

    /** Final BN-ReLU of pre-activation nets, then global average pooling to (N, featureChannels). */
    private NDArray pool(ParameterStore ps, NDArray h, boolean training) {
        if (finalNorm != null) {
            h = apply(finalNorm, ps, h, training).getNDArrayInternal().relu();
        }
        return Pool.globalAvgPool2d(h).reshape(h.getShape().get(0), plan.featureChannels());
    }

    /**
     * The output of a stage (0-based: stage 0 is the paper's conv2_x, torchvision's layer1), computing
     * only the units up to it; for pre-activation nets this is before the final BN-ReLU.
     */
    public NDArray stageOutput(ParameterStore ps, NDArray x, int stage, boolean training) {
        if (stage < 0 || stage >= config.spec().stages()) {
            throw new IllegalArgumentException("stage " + stage + " does not exist: " + config.spec().name()
                    + " has stages 0 to " + (config.spec().stages() - 1));
        }
        NDArray h = stem(ps, x, training);
        for (ResidualUnit unit : units) {
            if (unit.plan().stage() > stage) {
                break;
            }
            h = applyReleasing(unit, ps, h, training);
        }
        return h;
    }

    /**
     * The output of every stage (conv2_x first) in one pass: the inputs of a feature pyramid. For
     * pre-activation nets these are before the final BN-ReLU.
     */
    public List<NDArray> stageOutputs(ParameterStore ps, NDArray x, boolean training) {
        List<NDArray> out = new ArrayList<>();
        NDArray h = stem(ps, x, training);
        for (int i = 0; i < units.size(); i++) {
            h = applyReleasing(units.get(i), ps, h, training);
            boolean lastOfStage = i + 1 == units.size() || units.get(i + 1).plan().stage() != units.get(i).plan().stage();
            if (lastOfStage) {
                out.add(h);
            }
        }
        return out;
    }

    /** The pooled penultimate features (N, featureChannels), the classifier's input. */
    public NDArray pooledFeatures(ParameterStore ps, NDArray x, boolean training) {
        return pool(ps, trunk(ps, x, training), training);
    }

    private NDArray forwardUnits(ParameterStore ps, NDArray h, boolean training) {
        for (ResidualUnit unit : units) {
            h = apply(unit, ps, h, training);
        }
        return h;
    }

    private static NDArray apply(Block block, ParameterStore ps, NDArray x, boolean training) {
        return block.forward(ps, new NDList(x), training).singletonOrThrow();
    }

    /**
     * A block whose intermediate arrays are released as soon as it returns. DJL keeps every array
     * until its manager closes, so on detection-sized images the units' temporaries add up to
     * gigabytes of freshly faulted memory (Faster R-CNN at 800 pixels: 5.7 GB resident, half the
     * time in page faults). What backward needs, autograd keeps: libtorch counts its references.
     */
    public static NDArray applyReleasing(Block block, ParameterStore ps, NDArray x, boolean training) {
        NDManager owner = x.getManager();
        try (NDManager scope = owner.newSubManager()) {
            x.tempAttach(scope);
            NDArray y = apply(block, ps, x, training);
            y.attach(owner);
            return y;
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), config.classes())};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape s = inputShapes[0];
        stemConv.initialize(manager, dataType, s);
        s = stemConv.getOutputShapes(new Shape[] {s})[0];
        if (stemNorm != null) {
            stemNorm.initialize(manager, dataType, s);
        }
        if (config.spec().stem().maxPool()) {
            s = new Shape(s.get(0), s.get(1), ResNetPlan.convOut((int) s.get(2), 3, 2, 1),
                    ResNetPlan.convOut((int) s.get(3), 3, 2, 1));
        }
        for (ResidualUnit unit : units) {
            unit.initialize(manager, dataType, s);
            s = unit.getOutputShapes(new Shape[] {s})[0];
        }
        if (finalNorm != null) {
            finalNorm.initialize(manager, dataType, s);
        }
        fc.initialize(manager, dataType, new Shape(s.get(0), s.get(1)));
    }

    /** Builder in DJL's style: {@code setX} for required values, {@code optX} for optional ones. */
    public static final class Builder {
        private ResNetSpec spec;
        private Shortcut shortcut;
        private StridePlacement stridePlacement;
        private Integer classes;
        private Integer inputSize;
        private boolean zeroInitLastGamma;

        /** A named model of {@link ResNetFamily}. */
        public Builder setModel(String name) {
            this.spec = ResNetFamily.get(name);
            return this;
        }

        /** Any spec, e.g. a custom stage layout. */
        public Builder setSpec(ResNetSpec spec) {
            this.spec = spec;
            return this;
        }

        public Builder optShortcut(Shortcut option) {
            this.shortcut = option;
            return this;
        }

        public Builder optStridePlacement(StridePlacement placement) {
            this.stridePlacement = placement;
            return this;
        }

        public Builder optClasses(int k) {
            this.classes = k;
            return this;
        }

        public Builder optInputSize(int size) {
            this.inputSize = size;
            return this;
        }

        public Builder optZeroInitLastGamma(boolean zero) {
            this.zeroInitLastGamma = zero;
            return this;
        }

        /** The validated configuration. */
        public ResNetConfig config() {
            Objects.requireNonNull(spec, "model: call setModel(\"resnet50\") or setSpec(..) first");
            ResNetConfig c = ResNetConfig.of(spec);
            if (shortcut != null) {
                c = c.withShortcut(shortcut);
            }
            if (stridePlacement != null) {
                c = c.withStridePlacement(stridePlacement);
            }
            if (classes != null) {
                c = c.withClasses(classes);
            }
            if (inputSize != null) {
                c = c.withInputSize(inputSize);
            }
            return c.withZeroInitLastGamma(zeroInitLastGamma);
        }

        public ResNet build() {
            return new ResNet(config());
        }
    }
}
