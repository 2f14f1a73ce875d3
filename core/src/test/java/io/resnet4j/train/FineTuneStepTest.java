package io.resnet4j.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.resnet4j.model.BlockType;
import io.resnet4j.model.ResNet;
import io.resnet4j.model.ResNetConfig;
import io.resnet4j.model.ResNetSpec;
import io.resnet4j.model.Shortcut;
import io.resnet4j.model.Stem;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Frozen prefix (weights and BN statistics bit-identical), head learning rate, gradient accumulation. */
class FineTuneStepTest {

    static ResNetConfig tiny() {
        ResNetSpec spec = new ResNetSpec("tiny", Stem.CIFAR, 8, BlockType.BASIC, List.of(1, 1, 1),
                List.of(8, 16, 16), true, false, Shortcut.B, 16, 5, "test");
        return ResNetConfig.of(spec);
    }

    private static Map<String, byte[]> snapshot(ResNet net) {
        Map<String, byte[]> m = new LinkedHashMap<>();
        net.stateDict().forEach((k, p) -> m.put(k, p.getArray().toByteArray()));
        return m;
    }

    @Test
    void frozenPrefixStaysBitIdenticalWhileTheRestTrains() {
        try (NDManager manager = NDManager.newBaseManager(); Sgd sgd = new Sgd(manager, 0.9f, 1e-4f)) {
            ResNet net = new ResNet(tiny()).initialize(manager).setFrozenPrefix(ResNet.parseFrozenPrefix("conv3_x"));
            Map<String, byte[]> before = snapshot(net);
            TrainStep step = new TrainStep(net, sgd, manager).rateScale(n -> n.startsWith("fc.") ? 10 : 1);
            assertThat(step.trainableParameters().keySet()).noneMatch(k -> k.startsWith("conv1.")
                    || k.startsWith("layer1.") || k.startsWith("layer2.")).anyMatch(k -> k.startsWith("layer3."));
            for (int i = 0; i < 3; i++) {
                NDArray x = manager.randomNormal(new Shape(6, 3, 16, 16));
                NDArray y = manager.create(new long[] {0, 1, 2, 3, 4, 0});
                step.run(x, y, 0.05f);
            }
            Map<String, byte[]> after = snapshot(net);
            before.forEach((k, v) -> {
                if (net.isFrozen(k)) {
                    assertThat(after.get(k)).as(k).isEqualTo(v); // running_mean/var included
                } else if (k.endsWith("weight") && (k.startsWith("fc.") || k.startsWith("layer3."))) {
                    assertThat(after.get(k)).as(k).isNotEqualTo(v);
                }
            });
            assertThat(before.keySet()).contains("bn1.running_mean", "layer2.0.bn1.running_var");
            assertThat(after.get("layer3.0.bn1.running_mean")).isNotEqualTo(before.get("layer3.0.bn1.running_mean"));
        }
    }

    @Test
    void accumulatingTwoIdenticalHalvesEqualsOneStepOnTheWholeBatch() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray half = manager.randomNormal(new Shape(4, 3, 16, 16));
            NDArray x = half.concat(half, 0);
            NDArray y = manager.create(new long[] {0, 1, 2, 3, 0, 1, 2, 3});
            ResNet a = new ResNet(tiny()).initialize(manager);
            ResNet b = new ResNet(tiny()).initialize(manager);
            b.stateDict().forEach((k, p) -> p.getArray().set(a.stateDict().get(k).getArray().toByteBuffer()));
            try (Sgd sa = new Sgd(manager, 0.9f, 1e-4f); Sgd sb = new Sgd(manager, 0.9f, 1e-4f)) {
                TrainStep ta = new TrainStep(a, sa, manager);
                TrainStep tb = new TrainStep(b, sb, manager).accumulate(2);
                for (int i = 0; i < 2; i++) {
                    TrainStep.Result ra = ta.run(x, y, 0.1f);
                    TrainStep.Result rb = tb.run(x, y, 0.1f);
                    assertThat(rb.loss()).isCloseTo(ra.loss(), org.assertj.core.data.Offset.offset(1e-4f));
                    assertThat(rb.batchSize()).isEqualTo(8);
                }
            }
            a.stateDict().forEach((k, p) -> {
                if (p.requiresGradient()) {
                    float[] u = p.getArray().toFloatArray();
                    float[] v = b.stateDict().get(k).getArray().toFloatArray();
                    for (int i = 0; i < u.length; i++) {
                        assertThat(v[i]).as(k).isCloseTo(u[i], org.assertj.core.data.Offset.offset(1e-4f));
                    }
                }
            });
        }
    }

    @Test
    void plateauDropsAfterPatienceWithoutImprovement() {
        ScheduleState.Plateau p = new ScheduleState.Plateau(2);
        assertThat(p.observe(0.5)).isFalse();
        assertThat(p.observe(0.4)).isFalse();
        assertThat(p.observe(0.45)).isFalse();
        assertThat(p.observe(0.41)).isTrue();
        assertThat(p.observe(0.42)).isFalse();
        assertThat(new ScheduleState.Plateau(0).observe(1)).isFalse();
        assertThat(ResNet.parseFrozenPrefix("conv4_x")).isEqualTo(4);
        assertThat(ResNet.parseFrozenPrefix("layer3")).isEqualTo(4);
        assertThat(ResNet.parseFrozenPrefix("conv1")).isEqualTo(1);
    }
}
