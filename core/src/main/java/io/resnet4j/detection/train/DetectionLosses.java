package io.resnet4j.detection.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;

/**
 * Faster R-CNN's four losses as torchvision computes them ({@code RegionProposalNetwork.compute_loss}
 * and {@code fastrcnn_loss}), over the sampled examples of every image of a batch:
 *
 * <ul>
 *   <li>objectness: binary cross-entropy of the sampled anchors' logits, averaged;
 *   <li>RPN box regression: smooth L1 (beta 1/9) of the positive anchors' deltas, summed and divided by
 *       the number of sampled anchors (positives and negatives);
 *   <li>classifier: softmax cross-entropy of the sampled proposals' class logits, averaged;
 *   <li>box regression: smooth L1 (beta 1/9) of each positive proposal's deltas for its own class,
 *       summed and divided by the number of sampled proposals.
 * </ul>
 *
 * Dividing the regression sums by all sampled examples (not only positives) is torchvision's and
 * Detectron's choice; it keeps the regression term small when positives are few.
 */
public final class DetectionLosses {

    /** Smooth L1's transition point: quadratic below 1/9, linear above (torchvision and Detectron). */
    public static final float BETA = 1f / 9;

    private static final Loss BINARY_CROSS_ENTROPY = Loss.sigmoidBinaryCrossEntropyLoss();
    private static final Loss CROSS_ENTROPY = Loss.softmaxCrossEntropyLoss();

    private DetectionLosses() {}

    /**
     * @param logits (S) sampled anchors' objectness logits
     * @param labels (S) float 1 or 0
     */
    public static NDArray objectness(NDArray logits, NDArray labels) {
        return BINARY_CROSS_ENTROPY.evaluate(new NDList(labels), new NDList(logits));
    }

    /**
     * @param deltas (P, 4) positive anchors' deltas
     * @param targets (P, 4) their encoded boxes
     * @param sampled all sampled anchors (positives and negatives)
     */
    public static NDArray rpnBoxRegression(NDArray deltas, NDArray targets, int sampled) {
        return smoothL1Sum(deltas, targets).div(Math.max(sampled, 1));
    }

    /**
     * @param logits (S, K) sampled proposals' class logits
     * @param labels (S) int64 classes, 0 for background
     */
    public static NDArray classifier(NDArray logits, NDArray labels) {
        return CROSS_ENTROPY.evaluate(new NDList(labels), new NDList(logits));
    }

    /**
     * @param deltas (P, 4) each positive proposal's deltas for its own class
     * @param targets (P, 4) their encoded boxes
     * @param sampled all sampled proposals
     */
    public static NDArray boxRegression(NDArray deltas, NDArray targets, int sampled) {
        return smoothL1Sum(deltas, targets).div(Math.max(sampled, 1));
    }

    /** Sum of smooth L1 with {@link #BETA}: 0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta. */
    static NDArray smoothL1Sum(NDArray prediction, NDArray target) {
        NDArray d = prediction.sub(target).abs();
        NDArray quadratic = d.square().mul(0.5f / BETA);
        NDArray linear = d.sub(0.5f * BETA);
        return NDArrays.where(d.lt(BETA), quadratic, linear).sum();
    }
}
