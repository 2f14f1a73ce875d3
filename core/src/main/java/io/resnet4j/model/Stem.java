package io.resnet4j.model;

/**
 * The layers before the first stage. An explicit choice of each spec, never guessed from the
 * input size.
 */
public enum Stem {
    /** Table 1: 7x7/64 conv stride 2 (pad 3), BN, ReLU, 3x3 max-pool stride 2 (pad 1). */
    IMAGENET(7, 2, 3, true),
    /** Section 4.2: 3x3/16 conv stride 1 (pad 1), BN, ReLU; no pooling. */
    CIFAR(3, 1, 1, false);

    private final int kernel;
    private final int stride;
    private final int padding;
    private final boolean maxPool;

    Stem(int kernel, int stride, int padding, boolean maxPool) {
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.maxPool = maxPool;
    }

    public int kernel() { return kernel; }

    public int stride() { return stride; }

    public int padding() { return padding; }

    public boolean maxPool() { return maxPool; }

    /** Spatial size after the stem for a square input of the given size. */
    public int outputSize(int input) {
        int size = ResNetPlan.convOut(input, kernel, stride, padding);
        return maxPool ? ResNetPlan.convOut(size, 3, 2, 1) : size;
    }

    /** Total downsampling of the stem (conv stride times pooling). */
    public int reduction() {
        return stride * (maxPool ? 2 : 1);
    }
}
