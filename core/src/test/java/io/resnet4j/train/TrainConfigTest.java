package io.resnet4j.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.resnet4j.model.ResNetConfig;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** The builder's defaults and checks, and run.json in both directions, old files included. */
class TrainConfigTest {

    private static final ResNetConfig RESNET20 = ResNetConfig.of("resnet20");

    private static JsonNode runJsonConfig(String fixture) throws Exception {
        return new ObjectMapper().readTree(TrainConfigTest.class.getResource("/runjson/" + fixture)).get("config");
    }

    @Test
    void unsetValuesAreTheRecipes() {
        TrainConfig c = TrainConfig.builder(Recipe.imagenet()).model(ResNetConfig.of("resnet50")).build();
        assertThat(c.recipe()).isEqualTo(Recipe.imagenet());
        assertThat(c.batchSize()).isEqualTo(256);
        assertThat(c.iterations()).isEqualTo(600_000);
        assertThat(c.plateauPatience()).isEqualTo(3);
        assertThat(c.schedule().milestones()).isEmpty();
        assertThat(c.augmentation()).isEqualTo(Recipe.Augmentation.SCALE_CROP_FLIP_LIGHTING);
        assertThat(c.evalEvery()).isEqualTo(Recipe.EACH_EPOCH);
        assertThat(c.seed()).isEqualTo(TrainConfig.DEFAULT_SEED);
        assertThat(c.accumulate()).isEqualTo(1);
        assertThat(c.headLearningRate()).isNaN();
    }

    @Test
    void explicitMilestonesReplaceTheRecipesDropsAndItsPlateauRule() {
        TrainConfig fixed = TrainConfig.builder(Recipe.imagenet()).model(ResNetConfig.of("resnet18"))
                .milestones(List.of(300_000L, 450_000L)).build();
        assertThat(fixed.schedule().rate(450_000, true)).isCloseTo(0.001f, org.assertj.core.data.Offset.offset(1e-8f));
        assertThat(fixed.plateauPatience()).isZero();
        TrainConfig both = TrainConfig.builder(Recipe.imagenet()).model(ResNetConfig.of("resnet18"))
                .milestones(List.of(300_000L)).plateauPatience(5).build();
        assertThat(both.plateauPatience()).isEqualTo(5);
    }

    @Test
    void aWarmupRateAppliesTheRecipesConditionToAnyDepth() {
        LearningRateSchedule r20 = TrainConfig.builder(Recipe.cifar()).model(RESNET20).warmup(0.02f).build().schedule();
        assertThat(r20.rate(0, false)).isEqualTo(0.02f);
        assertThat(r20.warmupUntilErrorBelow()).isEqualTo(0.8);
        LearningRateSchedule r152 = TrainConfig.builder(Recipe.imagenet()).model(ResNetConfig.of("resnet152"))
                .warmup(0.01f).build().schedule();
        assertThat(r152.rate(0, false)).isEqualTo(0.01f); // the paper's condition where the recipe has none
        assertThat(TrainConfig.builder(Recipe.cifar()).model(ResNetConfig.of("resnet110")).warmup(0).build()
                .schedule().hasWarmup()).isFalse();
    }

    @Test
    void roundTripsThroughRunJson() {
        TrainConfig c = TrainConfig.builder(Recipe.fineTune()).model(ResNetConfig.of("resnet18").withClasses(5))
                .batchSize(32).accumulate(4).iterations(300).warmup(0.001f).plateauPatience(2).seed(9)
                .frozenPrefix(3).headLearningRate(0.05f).initFrom("torchvision:resnet18", true)
                .augmentation(Recipe.Augmentation.NONE).evalEvery(25).build();
        JsonNode json = c.toJson();
        assertThat(json.get("augment").asBoolean()).isFalse();
        assertThat(json.get("recipe").get("name").asText()).isEqualTo("fine-tune");
        assertThat(TrainConfig.fromJson(json)).isEqualTo(c);
        assertThat(TrainConfig.fromJson(json).toBuilder().iterations(600).build().iterations()).isEqualTo(600);
    }

    @Test
    void readsTheRunJsonOfEarlierVersions() throws Exception {
        TrainConfig cifar = TrainConfig.fromJson(runJsonConfig("cifar-resnet20-30ep.json"));
        assertThat(cifar.recipe()).isNull();
        assertThat(cifar.iterations()).isEqualTo(10_530);
        assertThat(cifar.schedule().milestones()).containsExactly(5_265L, 7_897L);
        assertThat(cifar.evalEvery()).isEqualTo(351);
        assertThat(cifar.augmentation()).isEqualTo(Recipe.Augmentation.DATA_DEFAULT);
        assertThat(cifar.accumulate()).isEqualTo(1);
        assertThat(cifar.init()).isNull();

        TrainConfig tuned = TrainConfig.fromJson(runJsonConfig("imagefolder-resnet18-finetune.json"));
        assertThat(tuned.model().inputSize()).isEqualTo(64);
        assertThat(tuned.frozenPrefix()).isEqualTo(4);
        assertThat(tuned.headLearningRate()).isEqualTo(0.01f);
        assertThat(tuned.plateauPatience()).isEqualTo(3);
        assertThat(tuned.newHead()).isTrue();
        assertThat(tuned.init()).endsWith("model.safetensors");
        // Written back, an old configuration keeps every key it had, with the same values.
        JsonNode old = runJsonConfig("cifar-resnet20-30ep.json");
        JsonNode again = cifar.toJson();
        old.fieldNames().forEachRemaining(k -> {
            if (old.get(k).isNumber()) { // written as float, read as double: the same float
                assertThat((float) again.get(k).asDouble()).as(k).isEqualTo((float) old.get(k).asDouble());
            } else {
                assertThat(again.get(k).toString()).as(k).isEqualTo(old.get(k).toString());
            }
        });
    }

    @Test
    void errorsNameTheParameterAndTheValue() {
        TrainConfig.Builder b = TrainConfig.builder(Recipe.cifar()).model(RESNET20);
        assertInvalid(() -> b.batchSize(0).build(), "batchSize", "batch size 0 must be at least 1");
        assertInvalid(() -> b.batchSize(128).accumulate(3).build(), "accumulate",
                "batch size 128 does not split into 3 equal micro-batches");
        assertInvalid(() -> b.accumulate(1).epochs(2).build(), "epochs", "needs the training set's size");
        assertInvalid(() -> b.trainImages(100).build(), "batchSize", "batch size 128 is larger than the 100 training");
        assertInvalid(() -> b.trainImages(1_000).iterations(5).build(), "iterations", "not both");
        assertInvalid(() -> TrainConfig.builder(Recipe.cifar()).model(RESNET20).frozenPrefix(5).build(),
                "frozenPrefix", "between 0 and 4");
        assertInvalid(() -> TrainConfig.builder(Recipe.cifar()).model(RESNET20).momentum(1).build(), "momentum",
                "momentum 1.0 must be in [0, 1)");
        assertInvalid(() -> TrainConfig.builder(Recipe.cifar()).model(RESNET20).milestones(List.of(9L, 3L)).build(),
                "milestones", "must increase");
        assertInvalid(() -> TrainConfig.builder(Recipe.cifar()).build(), "model", "the model is not set");
    }

    private static void assertInvalid(ThrowingCallable build, String parameter, String message) {
        assertThatThrownBy(build).isInstanceOfSatisfying(InvalidConfigException.class,
                e -> assertThat(e.parameter()).isEqualTo(parameter)).hasMessageContaining(message)
                .hasMessageNotContaining("--");
    }
}
