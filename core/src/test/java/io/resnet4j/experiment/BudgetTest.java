package io.resnet4j.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.resnet4j.model.ResNetConfig;
import io.resnet4j.train.TrainConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How an experiment's budget becomes each member's schedule. */
class BudgetTest {

    @Test
    void theDefaultFollowsThePaperWarmingUpOnlyFrom110Layers() {
        Budget b = new Budget(null, 4_000L, false, 128, 42, 2);
        TrainConfig r56 = b.config(ResNetConfig.of("resnet56"), 45_000);
        TrainConfig r110 = b.config(ResNetConfig.of("resnet110"), 45_000);
        assertThat(r56.iterations()).isEqualTo(4_000);
        assertThat(r56.schedule().milestones()).isEqualTo(List.of(2_000L, 3_000L));
        assertThat(r56.schedule().hasWarmup()).isFalse();
        assertThat(r110.schedule().hasWarmup()).isTrue();
        assertThat(r110.schedule().warmupRate()).isEqualTo(0.01f);
    }

    @Test
    void warmupLrAppliesOneWarmUpRuleToEveryMemberAndIsRecorded() {
        Budget b = new Budget(null, 4_000L, false, 128, 42, 2, 0.01f);
        for (String m : List.of("resnet20", "plain56")) {
            TrainConfig c = b.config(ResNetConfig.of(m), 45_000);
            assertThat(c.schedule().warmupRate()).isEqualTo(0.01f);
            assertThat(c.schedule().warmupUntilErrorBelow()).isEqualTo(0.8);
            assertThat(c.schedule().rate(0, false)).isEqualTo(0.01f);
            assertThat(c.schedule().rate(0, true)).isEqualTo(0.1f);
            assertThat(c.schedule().rate(3_500, true)).isEqualTo(0.001f, org.assertj.core.data.Offset.offset(1e-9f));
        }
        assertThat(new Budget(null, 4_000L, false, 128, 42, 2, 0f).config(ResNetConfig.of("resnet110"), 45_000)
                .schedule().hasWarmup()).isFalse();
        assertThat(b.toJson(new ObjectMapper().createObjectNode()).get("warmup_lr").floatValue()).isEqualTo(0.01f);
        assertThatThrownBy(() -> new Budget(null, 4_000L, false, 128, 42, 2, 0.5f))
                .hasMessageContaining("--warmup-lr");
    }
}
