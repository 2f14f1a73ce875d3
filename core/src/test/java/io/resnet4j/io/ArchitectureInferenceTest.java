package io.resnet4j.io;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.resnet4j.model.ResNet;
import io.resnet4j.model.ResNetConfig;
import io.resnet4j.model.Shortcut;
import io.resnet4j.model.StridePlacement;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The architecture read back from nothing but tensor names and shapes, and exact rebuilds from metadata. */
class ArchitectureInferenceTest {

    static Map<String, Shape> shapes(ResNetConfig c, NDManager m) {
        ResNet net = new ResNet(c).initialize(m);
        Map<String, Shape> out = new LinkedHashMap<>();
        net.stateDict().forEach((k, p) -> out.put(k, p.getArray().getShape()));
        return out;
    }

    @ParameterizedTest(name = "{0} shortcut {1} classes {2}")
    @CsvSource({"resnet18,B,1000", "resnet34,C,7", "resnet50,B,1000", "resnet20,A,10", "resnet56,B,100",
        "preact-resnet18,B,1000", "preact-resnet164,B,10"})
    void recognisesEachNetFromItsTensors(String model, String shortcut, int classes) {
        try (NDManager m = NDManager.newBaseManager()) {
            ResNetConfig c = ResNetConfig.of(model).withShortcut(Shortcut.parse(shortcut)).withClasses(classes);
            ResNetConfig inferred = ArchitectureInference.infer(shapes(c, m), model, StridePlacement.MIDDLE_3X3);
            assertThat(inferred.spec().name()).isEqualTo(model);
            assertThat(inferred.shortcut()).isEqualTo(c.shortcut());
            assertThat(inferred.classes()).isEqualTo(classes);
            if (c.spec().blockType() == io.resnet4j.model.BlockType.BOTTLENECK) {
                // Shapes cannot tell the placement: the foreign default, torchvision's, is assumed.
                assertThat(inferred.stridePlacement()).isEqualTo(StridePlacement.MIDDLE_3X3);
            }
        } catch (WeightsFormatException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void resnet4jCheckpointsRebuildExactlyWithIdenticalOutputs(@TempDir Path dir) throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            // A placement and classes inference could not know: metadata must carry them.
            ResNetConfig c = ResNetConfig.of("preact-resnet164").withStridePlacement(StridePlacement.FIRST_1X1).withClasses(5);
            ResNet net = new ResNet(c).initialize(m);
            Path file = dir.resolve("ck.safetensors");
            Checkpoint.save(file, net, java.util.List.of("a", "b", "c", "d", "e"), null, null);
            WeightsLoader.Loaded l = WeightsLoader.load(file.toString(), WeightsLoader.Options.defaults(), m);
            assertThat(l.resnet4jCheckpoint()).isTrue();
            assertThat(l.net().config()).isEqualTo(c);
            assertThat(l.classNames()).containsExactly("a", "b", "c", "d", "e");
            NDArray x = m.randomNormal(new Shape(2, 3, 32, 32));
            ParameterStore ps = new ParameterStore(m, false);
            float[] a = net.forward(ps, new NDList(x), false).singletonOrThrow().toFloatArray();
            float[] b = l.net().forward(ps, new NDList(x), false).singletonOrThrow().toFloatArray();
            assertThat(b).containsExactly(a);
            // The file's own architecture wins; contradicting it is an error, not a silent rebuild.
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> WeightsLoader.load(file.toString(),
                    new WeightsLoader.Options(null, "3x3", null), m)).hasMessageContaining("trained with the stride on the 1x1");
        }
    }
}
