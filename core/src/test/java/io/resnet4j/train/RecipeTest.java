package io.resnet4j.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.resnet4j.model.ResNetConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The recipes hold the paper's numbers (section 4.2 for CIFAR, 3.4 for ImageNet) and rescale in proportion. */
class RecipeTest {

    @Test
    void cifarIsThePapersSection42() {
        Recipe r = Recipe.cifar();
        assertThat(List.of(r.batchSize(), r.iterations())).containsExactly(128, 64_000L);
        assertThat(List.of(r.learningRate(), r.momentum(), r.weightDecay(), r.lrFactor()))
                .containsExactly(0.1f, 0.9f, 1e-4f, 0.1f);
        assertThat(r.milestones()).containsExactly(32_000L, 48_000L);
        assertThat(r.plateauPatience()).isZero();
        assertThat(r.warmup()).isEqualTo(new Recipe.Warmup(0.01f, 0.8, 2_000, 110));
        assertThat(r.augmentation()).isEqualTo(Recipe.Augmentation.PAD_CROP_FLIP);
    }

    @Test
    void imagenetIsThePapersSection34WithoutWarmupOrFixedDrops() {
        Recipe r = Recipe.imagenet();
        assertThat(List.of(r.batchSize(), r.iterations())).containsExactly(256, 600_000L);
        assertThat(List.of(r.learningRate(), r.momentum(), r.weightDecay())).containsExactly(0.1f, 0.9f, 1e-4f);
        assertThat(r.milestones()).isEmpty();
        assertThat(r.plateauPatience()).isPositive();
        assertThat(r.warmup()).isEqualTo(Recipe.Warmup.NONE);
        assertThat(r.warmup().appliesTo(ResNetConfig.of("resnet152"))).isFalse();
        assertThat(r.augmentation()).isEqualTo(Recipe.Augmentation.SCALE_CROP_FLIP_LIGHTING);
    }

    @Test
    void fineTuningStartsSlowerAndKeepsTheDatasAugmentation() {
        Recipe r = Recipe.fineTune();
        assertThat(r.learningRate()).isLessThan(Recipe.imagenet().learningRate());
        assertThat(r.warmup()).isEqualTo(Recipe.Warmup.NONE);
        assertThat(r.augmentation()).isEqualTo(Recipe.Augmentation.DATA_DEFAULT);
    }

    @Test
    void theCifarWarmupIsForDeepNetsOnly() {
        Recipe.Warmup w = Recipe.cifar().warmup();
        assertThat(w.appliesTo(ResNetConfig.of("resnet56"))).isFalse();
        assertThat(w.appliesTo(ResNetConfig.of("resnet110"))).isTrue();
        assertThat(w.appliesTo(ResNetConfig.of("plain110"))).isTrue();
        assertThat(w.atRate(0.02f).appliesTo(ResNetConfig.of("resnet20"))).isTrue();
        assertThat(w.atRate(0)).isEqualTo(Recipe.Warmup.NONE);
    }

    @Test
    void rescalingKeepsTheDropsAtTheirFractions() {
        assertThat(Recipe.cifar().rescaled(10_530).milestones()).containsExactly(5_265L, 7_897L);
        assertThat(Recipe.cifar().rescaled(4_000).milestones()).containsExactly(2_000L, 3_000L);
        assertThat(Recipe.cifar().rescaled(3).milestones()).containsExactly(1L, 2L);
        assertThat(Recipe.cifar().rescaled(1).milestones()).isEmpty(); // no drop at iteration 0
        assertThat(Recipe.imagenet().rescaled(5_000).milestones()).isEmpty();
        assertThat(Recipe.cifar().rescaled(500)).extracting(Recipe::learningRate, Recipe::batchSize)
                .containsExactly(0.1f, 128);
        assertThatThrownBy(() -> Recipe.cifar().rescaled(0)).hasMessageContaining("at least 1 iteration");
    }

    @Test
    void summaryAndJsonCarryEveryValue() {
        assertThat(Recipe.cifar().summary()).contains("64,000 iterations of batch 128", "lr 0.1",
                "divided by 10 at 50 and 75 percent", "momentum 0.9", "weight decay 1e-4", "warm-up at 0.01",
                "below 80 percent for 110+ layers").doesNotContain("%");
        assertThat(Recipe.imagenet().summary()).contains("has not improved for 3 passes");
        for (Recipe r : List.of(Recipe.cifar(), Recipe.imagenet(), Recipe.fineTune())) {
            assertThat(Recipe.fromJson(r.toJson())).isEqualTo(r);
        }
    }
}
