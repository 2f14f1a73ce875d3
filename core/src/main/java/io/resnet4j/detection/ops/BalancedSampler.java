package io.resnet4j.detection.ops;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * torchvision's {@code BalancedPositiveNegativeSampler}: of the labelled boxes of an image, at most
 * {@code batchSizePerImage * positiveFraction} positives (label >= 1) drawn at random, and negatives
 * (label 0) to fill the batch; boxes labelled -1 are never drawn.
 *
 * @param batchSizePerImage boxes drawn per image
 * @param positiveFraction the largest share of positives
 */
public record BalancedSampler(int batchSizePerImage, float positiveFraction) {

    public BalancedSampler {
        if (batchSizePerImage < 1 || !(positiveFraction >= 0 && positiveFraction <= 1)) {
            throw new IllegalArgumentException("sampling needs a batch of at least 1 and a positive fraction in [0, 1],"
                    + " got " + batchSizePerImage + " and " + positiveFraction);
        }
    }

    /**
     * The drawn boxes.
     *
     * @param positives indices of the drawn positives, ascending
     * @param all indices of every drawn box, ascending
     */
    public record Sample(int[] positives, int[] all) {}

    public Sample sample(int[] labels, Random random) {
        List<Integer> positive = new ArrayList<>();
        List<Integer> negative = new ArrayList<>();
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] >= 1) {
                positive.add(i);
            } else if (labels[i] == 0) {
                negative.add(i);
            }
        }
        int numPositive = Math.min(positive.size(), (int) (batchSizePerImage * (double) positiveFraction));
        int numNegative = Math.min(negative.size(), batchSizePerImage - numPositive);
        int[] pos = draw(positive, numPositive, random);
        int[] neg = draw(negative, numNegative, random);
        int[] all = new int[pos.length + neg.length];
        System.arraycopy(pos, 0, all, 0, pos.length);
        System.arraycopy(neg, 0, all, pos.length, neg.length);
        Arrays.sort(all);
        return new Sample(pos, all);
    }

    private static int[] draw(List<Integer> from, int count, Random random) {
        if (count < from.size()) {
            Collections.shuffle(from, random);
        }
        int[] out = from.subList(0, count).stream().mapToInt(Integer::intValue).toArray();
        Arrays.sort(out);
        return out;
    }
}
