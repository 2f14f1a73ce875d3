package io.resnet4j.model;

import java.util.List;

/**
 * The two residual-branch shapes of the paper. A branch is a short chain of convolutions; the
 * block type fixes their kernel sizes and the width multiplier of the last one ({@link
 * #expansion()}), exactly as torchvision's {@code BasicBlock.expansion = 1} and {@code
 * Bottleneck.expansion = 4}.
 */
public enum BlockType {
    /** Two 3x3 convolutions (ResNet-18/34 and every CIFAR net of section 4.2). */
    BASIC(List.of(3, 3), 1),
    /** 1x1 reduce, 3x3, 1x1 restore to 4x the width (ResNet-50/101/152, Figure 5 right). */
    BOTTLENECK(List.of(1, 3, 1), 4);

    private final List<Integer> kernels;
    private final int expansion;

    BlockType(List<Integer> kernels, int expansion) {
        this.kernels = kernels;
        this.expansion = expansion;
    }

    /** Kernel size of each convolution of the residual branch, in order. */
    public List<Integer> kernels() {
        return kernels;
    }

    /** Output channels of a unit divided by its base width. */
    public int expansion() {
        return expansion;
    }

    /**
     * Output channels of the i-th convolution of a unit with the given base width: every conv
     * has the base width except the last, which has {@code width * expansion}.
     */
    public int convOutChannels(int i, int width) {
        return i == kernels.size() - 1 ? width * expansion : width;
    }

    /** Index of the convolution that carries a unit's stride. */
    public int strideConvIndex(StridePlacement placement) {
        if (this == BASIC) {
            return 0;
        }
        return placement == StridePlacement.FIRST_1X1 ? 0 : 1;
    }
}
