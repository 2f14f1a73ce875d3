package io.resnet4j.model;

import ai.djl.ndarray.NDArray;

/**
 * Receives the response of every 3x3 convolution after its BN and before the addition and ReLU:
 * the quantity whose standard deviation Figure 7 of the paper plots. Implementations must copy
 * what they need; the array is only valid during the call.
 */
@FunctionalInterface
public interface ResponseProbe {
    /**
     * @param layer torchvision-style name of the convolution, e.g. {@code layer1.0.conv2}
     * @param response the BN output, shape (N, C, H, W)
     */
    void record(String layer, NDArray response);
}
