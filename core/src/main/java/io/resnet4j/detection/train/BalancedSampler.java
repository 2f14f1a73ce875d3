package io.resnet4j.detection.train;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the examples of one image's loss as torchvision's {@code BalancedPositiveNegativeSampler}:
 * at most {@code batchSizePerImage * positiveFraction} positives, chosen at random, and negatives
 * at random for the rest of the batch, so that backgrounds, far more numerous, do not swamp the
 * loss. With too few positives the batch has more negatives; with too few of both it is smaller.
 *
 * @param batchSizePerImage examples per image (256 anchors for the RPN, 512 proposals for the box head)
 * @param positiveFraction the largest share of positives (0.5 for the RPN, 0.25 for the box head)
 */
public record BalancedSampler(int batchSizePerImage, float positiveFraction) {

    /** The chosen examples, each list in ascending index order. */
    public record Sample(int[] positives, int[] negatives) {

        public int size() {
            return positives.length + negatives.length;
        }
    }

    public BalancedSampler {
        if (batchSizePerImage < 1 || !(positiveFraction >= 0 && positiveFraction <= 1)) {
            throw new IllegalArgumentException("a sampler needs at least one example per image and a positive"
                    + " fraction in [0, 1], got " + batchSizePerImage + " and " + positiveFraction);
        }
    }

    /**
     * @param labels per example: at least 1 positive, 0 negative, below 0 ignored
     * @param random the source of the choice (seeded per step, so a resumed run draws the same)
     */
    public Sample sample(int[] labels, SplittableRandom random) {
        int[] positive = Arrays.stream(indices(labels)).filter(i -> labels[i] >= 1).toArray();
        int[] negative = Arrays.stream(indices(labels)).filter(i -> labels[i] == 0).toArray();
        int numPos = Math.min(positive.length, (int) (batchSizePerImage * positiveFraction));
        int numNeg = Math.min(negative.length, batchSizePerImage - numPos);
        return new Sample(choose(positive, numPos, random), choose(negative, numNeg, random));
    }

    private static int[] indices(int[] labels) {
        int[] out = new int[labels.length];
        Arrays.setAll(out, i -> i);
        return out;
    }

    /** k of the candidates uniformly at random (a partial Fisher-Yates shuffle), sorted. */
    private static int[] choose(int[] candidates, int k, SplittableRandom random) {
        int[] c = candidates.clone();
        for (int i = 0; i < k; i++) {
            int j = i + random.nextInt(c.length - i);
            int t = c[i];
            c[i] = c[j];
            c[j] = t;
        }
        int[] out = Arrays.copyOf(c, k);
        Arrays.sort(out);
        return out;
    }
}
