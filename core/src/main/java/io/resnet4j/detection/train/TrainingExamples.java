package io.resnet4j.detection.train;

import io.resnet4j.detection.ops.BoxCoder;
import io.resnet4j.detection.ops.Boxes;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The examples of one image that enter a loss, with what they should predict: torchvision's target
 * assignment for the RPN ({@code assign_targets_to_anchors}) and for the box head ({@code
 * select_training_samples}), followed by {@link BalancedSampler}.
 *
 * @param indices the sampled anchors or candidate boxes: positives first, then negatives
 * @param labels per sampled example: 1 for an RPN positive or the object's class for the box head, 0 for background
 * @param positives how many of {@code indices} are positives
 * @param regressionTargets per positive, the encoded deltas from the example to its matched box
 * @param boxes per sampled example its box (the box head's input); null for anchors
 */
public record TrainingExamples(int[] indices, int[] labels, int positives, float[] regressionTargets, float[] boxes) {

    public int size() {
        return indices.length;
    }

    /** The positives' indices (the first {@link #positives()} of {@link #indices()}). */
    public int[] positiveIndices() {
        return Arrays.copyOf(indices, positives);
    }

    /** The positives' labels. */
    public int[] positiveLabels() {
        return Arrays.copyOf(labels, positives);
    }

    /**
     * The labels of every anchor before sampling: 1 where it matches a box, 0 background, -1 ignored
     * (torchvision's {@code labels} of {@code assign_targets_to_anchors}).
     *
     * @param matches the matcher's output, or null when the image has no boxes (all anchors are background)
     */
    public static int[] anchorLabels(int[] matches, int anchors) {
        int[] labels = new int[anchors];
        if (matches != null) {
            for (int j = 0; j < anchors; j++) {
                labels[j] = matches[j] >= 0 ? 1 : matches[j] == Matcher.BELOW_LOW_THRESHOLD ? 0 : -1;
            }
        }
        return labels;
    }

    /**
     * The class of every candidate box before sampling: its matched box's label, 0 background, -1
     * ignored (torchvision's {@code assign_targets_to_proposals}).
     */
    public static int[] proposalLabels(int[] matches, int[] gtLabels, int candidates) {
        int[] labels = new int[candidates];
        if (matches != null) {
            for (int j = 0; j < candidates; j++) {
                labels[j] = matches[j] >= 0 ? gtLabels[matches[j]] : matches[j] == Matcher.BELOW_LOW_THRESHOLD ? 0 : -1;
            }
        }
        return labels;
    }

    /** The RPN's examples: anchors matched to the boxes, sampled, positives' deltas with weights (1, 1, 1, 1). */
    public static TrainingExamples forAnchors(float[] anchors, float[] gt, Matcher matcher, BalancedSampler sampler,
            SplittableRandom random) {
        int[] matches = Boxes.count(gt) == 0 ? null : matcher.match(gt, anchors);
        int[] labels = anchorLabels(matches, Boxes.count(anchors));
        return of(anchors, gt, matches, labels, sampler.sample(labels, random), BoxCoder.rpn(), false);
    }

    /**
     * The box head's examples: the proposals and the ground-truth boxes themselves (so every object
     * has a well-placed example from the first step on), matched, sampled, and the positives' deltas
     * to their boxes with weights (10, 10, 5, 5).
     */
    public static TrainingExamples forProposals(float[] proposals, float[] gt, int[] gtLabels, Matcher matcher,
            BalancedSampler sampler, SplittableRandom random) {
        float[] candidates = Arrays.copyOf(proposals, proposals.length + gt.length);
        System.arraycopy(gt, 0, candidates, proposals.length, gt.length);
        int[] matches = Boxes.count(gt) == 0 ? null : matcher.match(gt, candidates);
        int[] labels = proposalLabels(matches, gtLabels, Boxes.count(candidates));
        return of(candidates, gt, matches, labels, sampler.sample(labels, random), BoxCoder.boxHead(), true);
    }

    private static TrainingExamples of(float[] candidates, float[] gt, int[] matches, int[] labels,
            BalancedSampler.Sample sample, BoxCoder coder, boolean keepBoxes) {
        int p = sample.positives().length;
        int[] indices = new int[sample.size()];
        System.arraycopy(sample.positives(), 0, indices, 0, p);
        System.arraycopy(sample.negatives(), 0, indices, p, sample.negatives().length);
        int[] sampledLabels = Boxes.select(labels, indices);
        float[] matched = new float[4 * p];
        for (int k = 0; k < p; k++) {
            System.arraycopy(gt, 4 * matches[indices[k]], matched, 4 * k, 4);
        }
        float[] targets = coder.encode(matched, Boxes.rows(candidates, sample.positives()));
        return new TrainingExamples(indices, sampledLabels, p, targets, keepBoxes ? Boxes.rows(candidates, indices) : null);
    }
}
