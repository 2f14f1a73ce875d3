package io.resnet4j.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.resnet4j.model.ResNetConfig;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** The CIFAR recipe's schedule as a run gets it: drops, warm-up, compression to a budget. */
class LearningRateScheduleTest {

    private static TrainConfig cifar(String model) {
        return TrainConfig.builder(Recipe.cifar()).model(ResNetConfig.of(model)).build();
    }

    @Test
    void paperRecipeForResNet20() {
        TrainConfig c = cifar("resnet20");
        LearningRateSchedule s = c.schedule();
        assertThat(c.iterations()).isEqualTo(64_000);
        assertThat(c.batchSize()).isEqualTo(128);
        assertThat(c.momentum()).isEqualTo(0.9f);
        assertThat(c.weightDecay()).isEqualTo(1e-4f);
        assertThat(s.rate(0, true)).isEqualTo(0.1f);
        assertThat(s.rate(31_999, true)).isEqualTo(0.1f);
        assertThat(s.rate(32_000, true)).isCloseTo(0.01f, Offset.offset(1e-7f));
        assertThat(s.rate(48_000, true)).isCloseTo(0.001f, Offset.offset(1e-8f));
        assertThat(s.hasWarmup()).isFalse();
        assertThat(s.rate(0, false)).isEqualTo(0.1f); // no warm-up below 110 layers
    }

    @Test
    void resNet110WarmsUpAtOneHundredthUntilTrained() {
        LearningRateSchedule s = cifar("resnet110").schedule();
        assertThat(s.hasWarmup()).isTrue();
        assertThat(s.rate(10, false)).isEqualTo(0.01f);
        assertThat(s.rate(10, true)).isEqualTo(0.1f);
        assertThat(s.rate(5_000, false)).isEqualTo(0.1f); // the safety net ends a warm-up that never converges
        assertThat(cifar("resnet1202").schedule().hasWarmup()).isTrue();
    }

    @Test
    void epochsCompressTheScheduleProportionally() {
        // 45,000 images in batches of 128: 351 steps an epoch.
        TrainConfig c = TrainConfig.builder(Recipe.cifar()).model(ResNetConfig.of("resnet20")).trainImages(45_000)
                .epochs(30).build();
        assertThat(c.iterations()).isEqualTo(10_530);
        assertThat(c.schedule().milestones()).containsExactly(5_265L, 7_897L);
        assertThat(c.evalEvery()).isEqualTo(351);
    }

    @Test
    void rejectsNonsense() {
        assertThatThrownBy(() -> new LearningRateSchedule(0.1f, List.of(10L, 5L), 0.1f, 0, 0.8, 0))
                .hasMessageContaining("increase");
        assertThatThrownBy(() -> new LearningRateSchedule(-1f, List.of(), 0.1f, 0, 0.8, 0))
                .hasMessageContaining("positive");
    }

    /** Rates are printed as people write them, also after the float arithmetic of the drops. */
    @Test
    void ratesAreWrittenWithoutTrailingZeros() {
        LearningRateSchedule s = cifar("resnet20").schedule();
        assertThat(LearningRateSchedule.format(s.rate(0, true))).isEqualTo("0.1");
        assertThat(LearningRateSchedule.format(s.rate(32_000, true))).isEqualTo("0.01");
        assertThat(LearningRateSchedule.format(s.rate(48_000, true))).isEqualTo("0.001");
        assertThat(LearningRateSchedule.format(0.0125f)).isEqualTo("0.0125");
        assertThat(LearningRateSchedule.format(1e-4f)).isEqualTo("0.0001");
        assertThat(LearningRateSchedule.format(0.5)).isEqualTo("0.5");
    }
}
