package io.resnet4j.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Parameter and multiply-add counts of the table against the paper and torchvision. */
class ResNetFamilyTest {

    @ParameterizedTest(name = "{0} has {1} parameters")
    @CsvSource({
        "resnet18, 11689512", "resnet34, 21797672", "resnet50, 25557032", "resnet101, 44549160",
        "resnet152, 60192808", "resnet20, 269722", "resnet32, 464154", "resnet44, 658586",
        "resnet56, 853018", "resnet110, 1727962", "resnet1202, 19421274",
    })
    void parameterCountsAreThePapers(String model, long params) {
        assertThat(ResNetConfig.of(model).plan().params()).isEqualTo(params);
    }

    @ParameterizedTest(name = "{0} ({1}) has {2} G multiply-adds")
    @CsvSource({
        "resnet18, 1x1, 1.8141", "resnet34, 1x1, 3.6638", "resnet50, 1x1, 3.8580", "resnet50, 3x3, 4.0892",
        "resnet101, 1x1, 7.5702", "resnet152, 1x1, 11.2824",
    })
    void imagenetMacsMatch(String model, String stride, double gmacs) {
        ResNetConfig c = ResNetConfig.of(model);
        if (c.spec().blockType() == BlockType.BOTTLENECK) {
            c = c.withStridePlacement(StridePlacement.parse(stride));
        }
        assertThat(c.plan().macs() / 1e9).isCloseTo(gmacs, org.assertj.core.data.Offset.offset(0.00005));
    }

    @ParameterizedTest(name = "{0} has {1} M multiply-adds")
    @CsvSource({"resnet20, 40.55", "resnet56, 125.49", "resnet110, 252.89"})
    void cifarMacsMatch(String model, double mmacs) {
        assertThat(ResNetConfig.of(model).plan().macs() / 1e6).isCloseTo(mmacs, org.assertj.core.data.Offset.offset(0.005));
    }

    @Test
    void plainNetsHaveTheSameParametersAsOptionAResNets() {
        // Option A shortcuts are parameter-free, so plain-n and resnet-n (option A) are equally big.
        for (String depth : new String[] {"20", "32", "44", "56", "110"}) {
            assertThat(ResNetConfig.of("plain" + depth).plan().params())
                    .isEqualTo(ResNetConfig.of("resnet" + depth).plan().params());
        }
        // ImageNet plain nets have no projections: resnet18 minus its three downsample conv+BN.
        long projections = (64 * 128 + 2 * 128) + (128 * 256 + 2 * 256) + (256 * 512 + 2 * 512);
        assertThat(ResNetConfig.of("plain18").plan().params()).isEqualTo(11689512L - projections);
    }

    @Test
    void shortcutOptionsChangeParametersAsThePaperSays() {
        long a = ResNetConfig.of("resnet34").withShortcut(Shortcut.A).plan().params();
        long b = ResNetConfig.of("resnet34").plan().params();
        long c = ResNetConfig.of("resnet34").withShortcut(Shortcut.C).plan().params();
        assertThat(a).isLessThan(b);
        assertThat(b).isLessThan(c);
        assertThat(b - a).isEqualTo((64 * 128 + 2 * 128) + (128 * 256 + 2 * 256) + (256 * 512 + 2 * 512));
    }

    @Test
    void preActivationCifarNetsHaveTheFollowUpsSizes() {
        // Identity Mappings (2016), Table 2 / 3: ResNet-164 1.7M, ResNet-1001 10.2M parameters.
        assertThat(ResNetConfig.of("preact-resnet164").plan().params() / 1e6).isCloseTo(1.7, org.assertj.core.data.Offset.offset(0.05));
        // The paper rounds ResNet-1001 to 10.2M; this layout (projection where dimensions change, as
        // in its code) has 10.33M, the figure PyTorch reimplementations report too.
        assertThat(ResNetConfig.of("preact-resnet1001").plan().params()).isEqualTo(10_327_706L);
        assertThat(ResNetFamily.get("preact-resnet164").depth()).isEqualTo(164);
        assertThat(ResNetFamily.get("preact-resnet1001").depth()).isEqualTo(1001);
    }

    @Test
    void depthsMatchNames() {
        for (ResNetSpec spec : ResNetFamily.all()) {
            String digits = spec.name().replaceAll("\\D", "");
            assertThat(spec.depth()).as(spec.name()).isEqualTo(Integer.parseInt(digits));
        }
    }

    @Test
    void stageStatsAddUpAndHaveTableOneSizes() {
        ModelStats stats = ResNetConfig.of("resnet50").plan().stats();
        assertThat(stats.rows()).extracting(ModelStats.Row::layer)
                .containsExactly("conv1", "conv2_x", "conv3_x", "conv4_x", "conv5_x", "fc");
        assertThat(stats.rows()).extracting(ModelStats.Row::outputSize).containsExactly(56, 56, 28, 14, 7, 1);
        assertThat(stats.rows()).extracting(ModelStats.Row::blocks).containsExactly(0, 3, 4, 6, 3, 0);
        assertThat(stats.rows().get(4).outputChannels()).isEqualTo(2048);
        ModelStats cifar = ResNetConfig.of("resnet56").plan().stats();
        assertThat(cifar.rows()).extracting(ModelStats.Row::outputSize).containsExactly(32, 32, 16, 8, 1);
    }

    @Test
    void unknownNamesAndImpossibleOptionsListWhatIsValid() {
        assertThatThrownBy(() -> ResNetFamily.get("resnet19"))
                .hasMessageContaining("resnet19").hasMessageContaining("resnet18, resnet34");
        assertThatThrownBy(() -> ResNetConfig.of("plain20").withShortcut(Shortcut.B))
                .hasMessageContaining("plain").hasMessageContaining("resnet20");
        assertThatThrownBy(() -> ResNetConfig.of("resnet18").withStridePlacement(StridePlacement.MIDDLE_3X3))
                .hasMessageContaining("bottleneck").hasMessageContaining("resnet50");
        assertThatThrownBy(() -> ResNetConfig.of("resnet50").withInputSize(16))
                .hasMessageContaining("32 to 4096");
        assertThatThrownBy(() -> ResNetConfig.of("resnet20").withClasses(0)).hasMessageContaining("at least 1");
        assertThatThrownBy(() -> ResNetConfig.of("resnet20").withClasses(100_001)).hasMessageContaining("at most 100000");
        assertThatThrownBy(() -> Shortcut.parse("D")).hasMessageContaining("A (identity");
    }

    @Test
    void everyPaperModelIsInTheTable() {
        assertThat(ResNetFamily.names()).contains("resnet18", "resnet34", "resnet50", "resnet101", "resnet152",
                "resnet20", "resnet32", "resnet44", "resnet56", "resnet110", "resnet1202", "plain18", "plain34",
                "plain20", "plain32", "plain44", "plain56", "plain110", "preact-resnet18", "preact-resnet34",
                "preact-resnet50", "preact-resnet101", "preact-resnet152", "preact-resnet200", "preact-resnet110",
                "preact-resnet164", "preact-resnet1001");
    }
}
