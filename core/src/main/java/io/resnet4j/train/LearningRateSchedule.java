package io.resnet4j.train;

import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;

/**
 * A step schedule (the paper's, section 4.2): a base rate multiplied by {@code factor} at each
 * milestone, with an optional warm-up at a lower rate that lasts until the training error first
 * falls below a threshold. The values come from a {@link Recipe}; this is their form in a run.
 *
 * @param baseRate rate after warm-up, before the first milestone
 * @param milestones iterations at which the rate is multiplied by {@code factor}
 * @param factor multiplier at each milestone (and at each plateau, see {@link TrainConfig#plateauPatience})
 * @param warmupRate rate during warm-up, or 0 for no warm-up
 * @param warmupUntilErrorBelow training error (fraction) below which warm-up ends
 * @param warmupMaxIterations warm-up never lasts longer than this (a safety net when the error stays high)
 */
public record LearningRateSchedule(
        float baseRate, List<Long> milestones, float factor, float warmupRate, double warmupUntilErrorBelow,
        long warmupMaxIterations) {

    public LearningRateSchedule {
        milestones = List.copyOf(milestones);
        if (!(baseRate > 0)) {
            throw new IllegalArgumentException("learning rate must be positive, got " + baseRate);
        }
        for (int i = 0; i < milestones.size(); i++) {
            if (milestones.get(i) < 1 || i > 0 && milestones.get(i) <= milestones.get(i - 1)) {
                throw new IllegalArgumentException("milestones must be positive and increase, got " + milestones);
            }
        }
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

    /** The same schedule with this warm-up ({@link Recipe.Warmup#NONE} removes it). */
    public LearningRateSchedule withWarmup(Recipe.Warmup warmup) {
        return new LearningRateSchedule(baseRate, milestones, factor, warmup.rate(), warmup.untilErrorBelow(),
                warmup.maxIterations());
    }

    public boolean hasWarmup() {
        return warmupRate > 0;
    }

    /**
     * A rate as people write it: 0.1, 0.01, 0.001, 0.0125 (six significant digits, no trailing zeros),
     * never 0.100 or 0.0100; a float's rounding noise (0.1f / 10 is 0.010000001) does not show.
     */
    public static String format(double rate) {
        if (!Double.isFinite(rate)) {
            return String.valueOf(rate);
        }
        return new BigDecimal(String.format(Locale.ROOT, "%.6g", rate)).stripTrailingZeros()
                .toPlainString();
    }
}
