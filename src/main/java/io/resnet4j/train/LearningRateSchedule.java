package io.resnet4j.train;

import java.util.List;

/**
 * The paper's step schedule (section 4.2): a base rate divided by 10 at each milestone, with an
 * optional warm-up at a lower rate that lasts until the training error first falls below a
 * threshold (ResNet-110 and deeper: 0.01 until the error is below 80%, about 400 iterations).
 *
 * @param baseRate rate after warm-up, before the first milestone (0.1)
 * @param milestones iterations at which the rate is multiplied by {@code factor}
 * @param factor multiplier at each milestone (0.1)
 * @param warmupRate rate during warm-up, or 0 for no warm-up
 * @param warmupUntilErrorBelow training error (fraction) below which warm-up ends (0.8)
 * @param warmupMaxIterations warm-up never lasts longer than this (a safety net when the error stays high)
 */
public record LearningRateSchedule(
        float baseRate, List<Long> milestones, float factor, float warmupRate, double warmupUntilErrorBelow,
        long warmupMaxIterations) {

    public LearningRateSchedule {
        milestones = List.copyOf(milestones);
        if (baseRate <= 0) {
            throw new IllegalArgumentException("learning rate must be positive, got " + baseRate);
        }
        for (int i = 1; i < milestones.size(); i++) {
            if (milestones.get(i) <= milestones.get(i - 1)) {
                throw new IllegalArgumentException("milestones must increase, got " + milestones);
            }
        }
    }

    /** Milestones at 50% and 75% of the run: the paper's 32k/48k of 64k, compressed to any length. */
    public static List<Long> proportionalMilestones(long totalIterations) {
        long half = totalIterations / 2;
        long threeQuarters = totalIterations * 3 / 4;
        // Very short runs (a handful of iterations) would repeat a milestone; keep the distinct ones.
        return java.util.stream.LongStream.of(half, threeQuarters).filter(m -> m > 0).distinct().boxed().toList();
    }

    /**
     * The rate for an iteration (0-based).
     *
     * @param warmedUp whether the warm-up condition has been met (or there is no warm-up)
     */
    public float rate(long iteration, boolean warmedUp) {
        if (warmupRate > 0 && !warmedUp && iteration < warmupMaxIterations) {
            return warmupRate;
        }
        float lr = baseRate;
        for (long m : milestones) {
            if (iteration >= m) {
                lr *= factor;
            }
        }
        return lr;
    }

    /** The paper's warm-up condition: "until the training error is below 80%" (about 400 iterations). */
    public static final double WARMUP_UNTIL_ERROR_BELOW = 0.8;
    /** A safety net: warm-up never lasts longer than this when the error stays high. */
    public static final long WARMUP_MAX_ITERATIONS = 2_000;

    /** The same schedule with the paper's warm-up rule at {@code rate} (0 removes the warm-up). */
    public LearningRateSchedule withWarmup(float rate) {
        return new LearningRateSchedule(baseRate, milestones, factor, rate, WARMUP_UNTIL_ERROR_BELOW,
                rate > 0 ? WARMUP_MAX_ITERATIONS : 0);
    }

    public LearningRateSchedule withMilestones(List<Long> m) {
        return new LearningRateSchedule(baseRate, m, factor, warmupRate, warmupUntilErrorBelow, warmupMaxIterations);
    }

    public boolean hasWarmup() {
        return warmupRate > 0;
    }
}
