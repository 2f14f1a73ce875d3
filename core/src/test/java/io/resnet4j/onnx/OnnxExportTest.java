package io.resnet4j.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.resnet4j.image.Preprocessing;
import io.resnet4j.model.ResNet;
import io.resnet4j.model.ResNetConfig;
import io.resnet4j.model.Shortcut;
import io.resnet4j.model.StridePlacement;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * The exported ONNX graph, run by ONNX Runtime, computes what the eager DJL network computes in
 * inference mode (to 1e-4 of the largest logit), for every kind of unit and shortcut, with batch
 * norm folded into the convolutions and without.
 */
class OnnxExportTest {

    static List<Object[]> models() {
        return List.of(
                new Object[] {ResNetConfig.of("resnet20"), true},
                new Object[] {ResNetConfig.of("resnet20"), false},
                new Object[] {ResNetConfig.of("plain20"), true},
                new Object[] {ResNetConfig.of("resnet20").withShortcut(Shortcut.C), true},
                new Object[] {ResNetConfig.of("resnet18").withInputSize(64).withClasses(7), true},
                new Object[] {ResNetConfig.of("resnet50").withInputSize(64).withStridePlacement(StridePlacement.MIDDLE_3X3), true},
                new Object[] {ResNetConfig.of("preact-resnet164"), true},
                new Object[] {ResNetConfig.of("preact-resnet18").withInputSize(64), false});
    }

    @ParameterizedTest(name = "{0} fold={1}")
    @MethodSource("models")
    void onnxRuntimeMatchesTheEagerNetwork(ResNetConfig config, boolean fold) {
        Engine.getInstance().setRandomSeed(7);
        try (NDManager m = NDManager.newBaseManager()) {
            ResNet net = new ResNet(config).initialize(m);
            randomizeNorms(net, m);
            int n = 3;
            int size = config.inputSize();
            NDArray x = m.randomNormal(0, 1, new Shape(n, 3, size, size), DataType.FLOAT32);
            float[] expected = net.forward(new ParameterStore(m, false), new NDList(x), false).singletonOrThrow()
                    .toFloatArray();
            byte[] onnx = OnnxExporter.export(net, null, null, new OnnxExporter.Options(fold, 0, 13), "test");
            try (OnnxRuntimeModel ort = OnnxRuntimeModel.load(onnx, 1)) {
                float[] actual = ort.logits(x.toFloatArray(), n, size);
                assertThat(actual).hasSize(n * config.classes());
                double scale = 0;
                double maxDiff = 0;
                for (int i = 0; i < expected.length; i++) {
                    scale = Math.max(scale, Math.abs(expected[i]));
                    maxDiff = Math.max(maxDiff, Math.abs(expected[i] - actual[i]));
                }
                assertThat(scale).isGreaterThan(0.01);
                assertThat(maxDiff / scale).as("max |diff| %s of max |logit| %s", maxDiff, scale).isLessThan(1e-4);
                assertThat(ort.metadata()).containsEntry(OnnxExporter.META_BN_FOLDED, String.valueOf(fold))
                        .containsKey(OnnxExporter.META_CONFIG);
            }
        }
    }

    @Test
    void foldingRemovesEveryBatchNormThatFollowsAConvolution() {
        try (NDManager m = NDManager.newBaseManager()) {
            ResNet r20 = new ResNet(ResNetConfig.of("resnet20")).initialize(m);
            OnnxGraph folded = OnnxExporter.graph(r20, OnnxExporter.Options.defaults());
            OnnxGraph unfolded = OnnxExporter.graph(r20, new OnnxExporter.Options(false, 0, 13));
            assertThat(count(folded, "BatchNormalization")).isZero();
            assertThat(count(unfolded, "BatchNormalization")).isEqualTo(19);
            assertThat(count(folded, "Add")).isEqualTo(9);
            // 19 weighted layers, plus option A where the dimensions change (two stages): an exact 0/1
            // 1x1 stride-2 convolution (subsample, zero-pad channels), computing what Slice+Pad would.
            assertThat(count(folded, "Conv")).isEqualTo(19 + 2);
            // Pre-activation: the unit-input norms and the final norm follow additions and stay.
            ResNet pre = new ResNet(ResNetConfig.of("preact-resnet110")).initialize(m);
            assertThat(count(OnnxExporter.graph(pre, OnnxExporter.Options.defaults()), "BatchNormalization"))
                    .isEqualTo(54 + 1);
        }
    }

    @Test
    void metadataCarriesClassNamesAndPreprocessing() {
        try (NDManager m = NDManager.newBaseManager()) {
            ResNet net = new ResNet(ResNetConfig.of("resnet20")).initialize(m);
            byte[] onnx = OnnxExporter.export(net, List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j"),
                    Preprocessing.imagenet(), OnnxExporter.Options.defaults(), "test");
            try (OnnxRuntimeModel ort = OnnxRuntimeModel.load(onnx, 1)) {
                assertThat(ort.metadata().get(OnnxExporter.META_CLASS_NAMES)).isEqualTo("[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\",\"j\"]");
                Preprocessing p = Preprocessing.fromJson(ort.metadata().get(OnnxExporter.META_PREPROCESSING));
                assertThat(p.kind()).isEqualTo(Preprocessing.MEAN_STD);
                assertThat(p.crop()).isEqualTo(224);
                assertThat(p.channelMean()).containsExactly(Preprocessing.imagenet().channelMean());
                assertThat(ort.metadata().get(OnnxExporter.META_CONFIG)).contains("resnet20");
            }
        }
        assertThatThrownBy(() -> new OnnxExporter.Options(true, 0, 11)).hasMessageContaining("opset 11");
    }

    private static long count(OnnxGraph g, String op) {
        return g.nodes().stream().filter(n -> n.opType().equals(op)).count();
    }

    /** Non-trivial BN statistics and affine parameters, so folding is really exercised. */
    static void randomizeNorms(ResNet net, NDManager m) {
        net.stateDict().forEach((k, p) -> {
            NDArray a = p.getArray();
            if (k.endsWith("running_var") || (k.endsWith(".weight") && a.getShape().dimension() == 1)) {
                a.set(m.randomUniform(0.5f, 1.5f, a.getShape()).toFloatArray());
            } else if (k.endsWith("running_mean") || (k.endsWith(".bias") && !k.startsWith("fc."))) {
                a.set(m.randomNormal(0, 0.2f, a.getShape(), DataType.FLOAT32).toFloatArray());
            }
        });
    }
}
