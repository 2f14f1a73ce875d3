package io.resnet4j.detection.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.resnet4j.detection.model.FasterRcnnConfig;
import io.resnet4j.train.InvalidConfigException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The recipes, their budget arithmetic, their JSON form and the values they refuse. */
class DetectionTrainConfigTest {

    @Test
    void thePaperRecipeIsFasterRcnnsOnVoc() {
        DetectionTrainConfig c = DetectionTrainConfig.paper(FasterRcnnConfig.c4("resnet50", 21));
        assertThat(c.batchSize()).isEqualTo(1);
        assertThat(c.momentum()).isEqualTo(0.9f);
        assertThat(c.weightDecay()).isEqualTo(1e-4f);
        assertThat(c.schedule().rate(0, true)).isEqualTo(0.001f);
        assertThat(c.schedule().rate(59_999, true)).isEqualTo(0.001f);
        assertThat(c.schedule().rate(60_000, true)).isCloseTo(0.0001f, org.assertj.core.data.Offset.offset(1e-9f));
        assertThat(c.iterations()).isEqualTo(80_000);
        assertThat(c.horizontalFlip()).isTrue();
        assertThat(c.trainableNorm()).isFalse();
        assertThat(c.model().transform().minSize()).isEqualTo(600);
    }

    @Test
    void aNewBudgetKeepsTheDropsAtTheirFractions() {
        DetectionTrainConfig c = DetectionTrainConfig.paper(FasterRcnnConfig.c4("resnet50", 21)).withIterations(2000);
        assertThat(c.schedule().milestones()).containsExactly(1500L);
        assertThat(c.withIterations(1).schedule().milestones()).isEmpty();
        assertThat(c.withMilestones(List.of(100L, 900L)).schedule().milestones()).containsExactly(100L, 900L);
    }

    @Test
    void startingFromWeightsFreezesBatchNormAndTheFirstLayersFromScratchNothing() {
        DetectionTrainConfig paper = DetectionTrainConfig.paper(FasterRcnnConfig.c4("resnet50", 21));
        DetectionTrainConfig init = paper.withInit("torchvision:resnet50", 2);
        assertThat(init.trainableNorm()).isFalse();
        assertThat(init.frozenPrefix()).isEqualTo(2);
        DetectionTrainConfig scratch = paper.withInit(null, 2);
        assertThat(scratch.trainableNorm()).isTrue();
        assertThat(scratch.frozenPrefix()).isZero();
    }

    @Test
    void jsonReadsBackTheSameConfiguration() {
        DetectionTrainConfig c = DetectionTrainConfig.demo(7).withSeed(9).withIterations(333)
                .withInit("weights.safetensors", 3);
        assertThat(DetectionTrainConfig.fromJson(c.toJson())).isEqualTo(c);
        assertThat(c.toJson().get("model").get("backbone").asText()).isEqualTo("resnet18");
        assertThat(c.toJson().get("schedule").get("milestones").get(0).asLong()).isEqualTo(250); // 3/4 of 333
    }

    @Test
    void valuesThatCannotWorkNameTheirParameter() {
        DetectionTrainConfig c = DetectionTrainConfig.demo(7);
        assertThatThrownBy(() -> c.withBatchSize(0)).isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("batch size 0").extracting(e -> ((InvalidConfigException) e).parameter())
                .isEqualTo("batchSize");
        assertThatThrownBy(() -> c.withLearningRate(-1)).extracting(e -> ((InvalidConfigException) e).parameter())
                .isEqualTo("learningRate");
        assertThatThrownBy(() -> c.withMilestones(List.of(5L, 3L))).extracting(e -> ((InvalidConfigException) e)
                .parameter()).isEqualTo("milestones");
        assertThatThrownBy(() -> c.withOptimizer(1f, 0)).hasMessageContaining("momentum 1.0 must be in [0, 1)");
        var json = c.toJson();
        json.put("batch_size", 0);
        assertThatThrownBy(() -> DetectionTrainConfig.fromJson(json)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("batch size 0 must be at least 1");
    }
}
