package io.resnet4j.model;

import java.util.Objects;

/**
 * A model spec with the per-instance options of the issue: shortcut option, bottleneck stride
 * placement, number of classes, input size and zero-initialised last BN gamma. Immutable; the
 * {@code with*} methods validate and return a copy. Defaults are the paper's.
 *
 * @param spec the table row
 * @param shortcut shortcut option (ignored by plain nets, which have none)
 * @param stridePlacement bottleneck stride placement (basic units always stride their first conv)
 * @param classes outputs of the classifier
 * @param inputSize side of the square input the statistics and default shapes refer to
 * @param zeroInitLastGamma start each residual branch's last BN with gamma 0 (Goyal et al., 2017)
 */
public record ResNetConfig(
        ResNetSpec spec,
        Shortcut shortcut,
        StridePlacement stridePlacement,
        int classes,
        int inputSize,
        boolean zeroInitLastGamma) {

    /** Largest input side accepted; far beyond any published protocol (the paper's largest scale is 640). */
    public static final int MAX_INPUT_SIZE = 4096;
    /** Largest classifier accepted: beyond ImageNet-21k's 21,841 classes, short of a classifier larger than the net. */
    public static final int MAX_CLASSES = 100_000;

    public ResNetConfig {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(shortcut, "shortcut: use Shortcut.A, B or C");
        Objects.requireNonNull(stridePlacement, "stridePlacement: use StridePlacement.FIRST_1X1 or MIDDLE_3X3");
        if (classes < 1 || classes > MAX_CLASSES) {
            throw new IllegalArgumentException("number of classes must be at least 1 and at most " + MAX_CLASSES + ", got " + classes);
        }
        int min = minInputSize(spec);
        if (inputSize < min || inputSize > MAX_INPUT_SIZE) {
            throw new IllegalArgumentException("input size " + inputSize + " is not possible for " + spec.name()
                    + ": valid sizes are " + min + " to " + MAX_INPUT_SIZE + " (default " + spec.defaultInputSize() + ")");
        }
    }

    /** The paper's configuration of a named model. */
    public static ResNetConfig of(String modelName) {
        return of(ResNetFamily.get(modelName));
    }

    /** The paper's configuration of a spec. */
    public static ResNetConfig of(ResNetSpec spec) {
        return new ResNetConfig(spec, spec.defaultShortcut(), StridePlacement.FIRST_1X1, spec.defaultClasses(),
                spec.defaultInputSize(), false);
    }

    /** Smallest input for which every stage still has a spatial extent of at least one pixel per stride step. */
    public static int minInputSize(ResNetSpec spec) {
        return spec.stem().reduction() << (spec.stages() - 1);
    }

    /**
     * @throws IllegalArgumentException for plain nets, which have no shortcut to configure
     */
    public ResNetConfig withShortcut(Shortcut option) {
        if (!spec.residual()) {
            throw new IllegalArgumentException(spec.name() + " is a plain net without shortcuts, so a shortcut option"
                    + " does not apply; pick its residual counterpart (" + spec.name().replace("plain", "resnet")
                    + ") to choose A, B or C");
        }
        return new ResNetConfig(spec, option, stridePlacement, classes, inputSize, zeroInitLastGamma);
    }

    /**
     * @throws IllegalArgumentException for basic-block nets, whose stride always sits on the first 3x3
     */
    public ResNetConfig withStridePlacement(StridePlacement placement) {
        if (spec.blockType() != BlockType.BOTTLENECK) {
            throw new IllegalArgumentException(spec.name() + " uses basic units, whose stride always sits on the"
                    + " first 3x3 conv; stride placement applies only to bottleneck models ("
                    + String.join(", ", ResNetFamily.all().stream()
                            .filter(s -> s.blockType() == BlockType.BOTTLENECK).map(ResNetSpec::name).toList())
                    + ")");
        }
        return new ResNetConfig(spec, shortcut, placement, classes, inputSize, zeroInitLastGamma);
    }

    public ResNetConfig withClasses(int k) {
        return new ResNetConfig(spec, shortcut, stridePlacement, k, inputSize, zeroInitLastGamma);
    }

    public ResNetConfig withInputSize(int size) {
        return new ResNetConfig(spec, shortcut, stridePlacement, classes, size, zeroInitLastGamma);
    }

    public ResNetConfig withZeroInitLastGamma(boolean zero) {
        return new ResNetConfig(spec, shortcut, stridePlacement, classes, inputSize, zero);
    }

    /** "A", "B", "C", or "none" for plain nets. */
    public String shortcutLabel() {
        return spec.residual() ? shortcut.name() : "none";
    }

    /** Expands this configuration into its units, with shapes, parameters and multiply-adds. */
    public ResNetPlan plan() {
        return ResNetPlan.of(this);
    }
}
