package io.resnet4j.detection.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;

/**
 * Faster R-CNN's four training losses for a batch, as torchvision names and computes them: the box
 * head's classification (cross-entropy) and box regression (smooth L1, beta 1/9, over foreground
 * boxes, divided by all sampled), and the RPN's objectness (binary cross-entropy) and box regression
 * (likewise). Each is a scalar NDArray on the autograd graph.
 */
public record Losses(NDArray classifier, NDArray boxRegression, NDArray objectness, NDArray rpnBoxRegression) {

    /** The sum the detector is trained on. */
    public NDArray total() {
        return classifier.add(boxRegression).add(objectness).add(rpnBoxRegression);
    }

    static final float BETA = 1f / 9;

    /** Smooth L1 summed over every element: 0.5 d^2 / beta below beta, |d| - 0.5 beta above. */
    static NDArray smoothL1(NDArray prediction, NDArray target) {
        NDArray d = prediction.sub(target).abs();
        return NDArrays.where(d.lt(BETA), d.square().mul(0.5f / BETA), d.sub(0.5f * BETA)).sum();
    }

    /** Mean binary cross-entropy of logits, in the overflow-safe form max(x, 0) - x y + log(1 + exp(-|x|)). */
    static NDArray binaryCrossEntropy(NDArray logits, NDArray targets) {
        return logits.maximum(0f).sub(logits.mul(targets)).add(logits.abs().neg().exp().add(1f).log()).mean();
    }

    /** Mean cross-entropy of (N, K) logits against labels (N). */
    static NDArray crossEntropy(NDArray logits, int[] labels) {
        NDArray oneHot = logits.getManager().create(labels).oneHot((int) logits.getShape().get(1));
        return logits.logSoftmax(1).mul(oneHot).sum(new int[] {1}).mean().neg();
    }
}
