package io.resnet4j.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import io.resnet4j.inference.ImageClassifierTest;
import io.resnet4j.inference.ImageClassifier;
import io.resnet4j.inference.Prediction;
import io.resnet4j.io.WeightsLoader;
import io.resnet4j.model.ResNet;
import io.resnet4j.model.ResNetConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** INT8 QDQ export of a PyTorch-made resnet20 (non-trivial BN statistics) calibrated on real photo crops. */
class Int8QuantizerTest {

    /** The fixture network, the photos as its input, and its FP32 logits on them. */
    private record Fixture(WeightsLoader.Loaded loaded, float[] photos, int n, float[] expected) {

        static Fixture load(NDManager manager) throws Exception {
            String weights = ImageClassifierTest.weights();
            try (ImageClassifier fp32 = ImageClassifier.builder(weights).engine("onnxruntime").threads(1).open()) {
                float[] photos = fp32.input(ImageClassifierTest.photos());
                int n = ImageClassifierTest.photos().size();
                return new Fixture(WeightsLoader.load(weights, WeightsLoader.Options.defaults(), manager), photos, n,
                        fp32.logits(photos, n, 32, 32));
            }
        }

        /** An INT8 export calibrated on the photos themselves. */
        byte[] int8(Int8Quantizer.Options options) {
            return Int8Quantizer.export(loaded.net(), loaded.classNames(), loaded.preprocessing(),
                    OnnxExporter.Options.defaults(), List.of(new Int8Quantizer.Batch(photos, n, 32, 32)), options, 1, "test");
        }
    }

    @Test
    void theInt8GraphComputesWhatTheFp32GraphComputesToWithinQuantisationError() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            Fixture f = Fixture.load(m);
            float[] photos = f.photos();
            int n = f.n();
            float[] expected = f.expected();
            byte[] int8 = f.int8(new Int8Quantizer.Options(Int8Quantizer.Calibration.MINMAX, 100));
            try (OnnxRuntimeModel q = OnnxRuntimeModel.load(int8, 1)) {
                assertThat(q.metadata()).containsEntry(Int8Quantizer.META_PRECISION, "int8");
                float[] actual = q.logits(photos, n, 32, 32);
                double range = 0;
                double diff = 0;
                for (int i = 0; i < expected.length; i++) {
                    range = Math.max(range, Math.abs(expected[i]));
                    diff = Math.max(diff, Math.abs(expected[i] - actual[i]));
                }
                assertThat(diff / range).as("max logit error relative to the largest logit").isLessThan(0.1);
                assertThat(diff).as("INT8 is not FP32").isGreaterThan(0);
                for (int i = 0; i < n; i++) {
                    assertThat(Prediction.topIndices(java.util.Arrays.copyOfRange(actual, i * 10, i * 10 + 10), 1))
                            .isEqualTo(Prediction.topIndices(java.util.Arrays.copyOfRange(expected, i * 10, i * 10 + 10), 1));
                }
            }
        }
    }

    @Test
    void reluAfterConvolutionOrAdditionFusesIntoTheQuantisedTensor() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            ResNet net = new ResNet(ResNetConfig.of("resnet20")).initialize(m);
            Random r = new Random(1);
            float[] x = new float[2 * 3 * 32 * 32];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) r.nextGaussian();
            }
            byte[] int8 = Int8Quantizer.export(net, null, null, OnnxExporter.Options.defaults(),
                    List.of(new Int8Quantizer.Batch(x, 2, 32, 32)), Int8Quantizer.Options.defaults(), 1, "test");
            List<String> ops = new ArrayList<>();
            try (OnnxRuntimeModel q = OnnxRuntimeModel.load(int8, 1)) {
                assertThat(q.logits(x, 2, 32)).hasSize(20);
            }
            assertThat(int8.length).as("int8 weights are a quarter of the float ones").isLessThan(
                    OnnxExporter.export(net, null, null, OnnxExporter.Options.defaults(), "t").length / 2);
        }
    }

    @Test
    void preActivationNetworksAreRefusedWithTheReason() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            ResNet net = new ResNet(ResNetConfig.of("preact-resnet18").withInputSize(32)).initialize(m);
            assertThatThrownBy(() -> Int8Quantizer.export(net, null, null, OnnxExporter.Options.defaults(),
                    List.of(new Int8Quantizer.Batch(new float[3 * 32 * 32], 1, 32, 32)), Int8Quantizer.Options.defaults(),
                    1, "t")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pre-activation");
        }
    }

    /**
     * Nodes kept float lose their quantisation: with every convolution and addition float only the
     * input and the pooled features are rounded, so the logits come closer to FP32 than the all-INT8
     * graph's; a stage's tensors get no QuantizeLinear; unknown names are refused.
     */
    @Test
    void nodesKeptFloatAreNotQuantised() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            Fixture f = Fixture.load(m);
            float[] photos = f.photos();
            int n = f.n();
            float[] expected = f.expected();
            Int8Quantizer.Options minmax = new Int8Quantizer.Options(Int8Quantizer.Calibration.MINMAX, 100);
            java.util.function.Function<java.util.Set<String>, byte[]> export = keep -> f.int8(minmax.withFloatNodes(keep));
            byte[] int8 = export.apply(java.util.Set.of());
            byte[] mostlyFloat = export.apply(java.util.Set.of("conv1", "layer1", "layer2", "layer3"));
            double allInt8Error = maxError(int8, photos, n, expected);
            double floatError = maxError(mostlyFloat, photos, n, expected);
            assertThat(floatError).isGreaterThan(0).isLessThan(allInt8Error);

            byte[] stageFloat = export.apply(java.util.Set.of("layer3"));
            String layer3Quantised = "layer3\\.[0-9a-z.]+_[0-9]+_quantize";
            assertThat(count(int8, layer3Quantised)).isPositive();
            assertThat(count(stageFloat, layer3Quantised)).isZero();
            assertThat(count(stageFloat, "layer2\\.[0-9a-z.]+_[0-9]+_quantize")).isPositive();
            assertThatThrownBy(() -> export.apply(java.util.Set.of("layer9"))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("no convolution or addition named layer9");
        }
    }

    private static double maxError(byte[] model, float[] x, int n, float[] expected) throws Exception {
        try (OnnxRuntimeModel q = OnnxRuntimeModel.load(model, 1)) {
            float[] actual = q.logits(x, n, 32, 32);
            double diff = 0;
            for (int i = 0; i < expected.length; i++) {
                diff = Math.max(diff, Math.abs(expected[i] - actual[i]));
            }
            return diff;
        }
    }

    /** Occurrences of a regular expression in the serialised model (node names are plain strings there). */
    private static long count(byte[] model, String regex) {
        return java.util.regex.Pattern.compile(regex)
                .matcher(new String(model, java.nio.charset.StandardCharsets.ISO_8859_1)).results().count();
    }
}
