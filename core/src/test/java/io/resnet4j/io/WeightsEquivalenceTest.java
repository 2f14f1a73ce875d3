package io.resnet4j.io;

import io.resnet4j.image.Preprocessing;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.resnet4j.image.ImageTransform;
import io.resnet4j.image.RgbImage;
import io.resnet4j.model.BlockType;
import io.resnet4j.model.ResNet;
import io.resnet4j.model.ResNetConfig;
import io.resnet4j.model.ResNetSpec;
import io.resnet4j.model.Shortcut;
import io.resnet4j.model.Stem;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * A torchvision-structured ResNet-18 layout with reduced widths (8, 16, 32, 64), random weights and
 * random BN statistics, saved by PyTorch as .pth and .safetensors: logits, pooled features and
 * stage outputs on the centre-cropped photos must match PyTorch's, through the same input
 * normalisation path the CLI uses.
 */
class WeightsEquivalenceTest {

    static final ResNetSpec SMALL = new ResNetSpec("small-resnet18", Stem.IMAGENET, 8, BlockType.BASIC,
            List.of(2, 2, 2, 2), List.of(8, 16, 32, 64), true, false, Shortcut.B, 224, 1000, "fixture");

    /** The fixture crops, normalised with torchvision's ImageNet mean/std, as an (N, 3, 224, 224) batch. */
    static NDArray inputs(Path images, NDManager m) throws Exception {
        NDArray u8 = SafeTensors.read(images, m).tensors().get("images");
        int n = (int) u8.getShape().get(0);
        byte[] all = u8.toByteArray();
        int per = 224 * 224 * 3;
        ImageTransform t = ImageTransform.of(Preprocessing.imagenet(), 0, 224);
        float[] batch = new float[n * per];
        for (int i = 0; i < n; i++) {
            byte[] one = java.util.Arrays.copyOfRange(all, i * per, (i + 1) * per);
            System.arraycopy(t.apply(new RgbImage(224, 224, one)), 0, batch, i * per, per);
        }
        return m.create(batch, new Shape(n, 3, 224, 224));
    }

    static float relativeError(NDArray actual, NDArray expected) {
        assertThat(actual.getShape()).isEqualTo(expected.getShape());
        float diff = actual.sub(expected).abs().max().getFloat();
        return diff / Math.max(1e-6f, expected.abs().max().getFloat());
    }

    static int[][] top5(NDArray logits) {
        int n = (int) logits.getShape().get(0);
        int[][] out = new int[n][];
        for (int i = 0; i < n; i++) {
            long[] idx = logits.get(i).argSort(0, false).get("0:5").toLongArray();
            out[i] = java.util.Arrays.stream(idx).mapToInt(l -> (int) l).toArray();
        }
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"small_resnet18.pth", "small_resnet18.safetensors"})
    void matchesPyTorchOnThePhotos(String file) throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            ResNet net = new ResNet(ResNetConfig.of(SMALL)).initialize(m);
            Map<String, NDArray> tensors = WeightsLoader.readTensors(TorchPickleTest.fixture(file), m);
            assertThat(tensors).containsKey("bn1.num_batches_tracked"); // torch.save keeps it; load drops it
            StateDicts.load(net, tensors);
            Map<String, NDArray> want = SafeTensors.read(TorchPickleTest.fixture("small_resnet18_expected.safetensors"), m)
                    .tensors();
            NDArray x = inputs(TorchPickleTest.fixture("images_224.safetensors"), m);
            ParameterStore ps = new ParameterStore(m, false);
            NDArray logits = net.forward(ps, new NDList(x), false).singletonOrThrow();
            assertThat(relativeError(logits, want.get("logits"))).isLessThan(1e-4f);
            assertThat(relativeError(net.pooledFeatures(ps, x, false), want.get("pooled"))).isLessThan(1e-4f);
            assertThat(relativeError(net.stageOutput(ps, x, 0, false), want.get("conv2_x"))).isLessThan(1e-4f);
            assertThat(relativeError(net.stageOutput(ps, x, 3, false), want.get("conv5_x"))).isLessThan(1e-4f);
            assertThat(top5(logits)).isDeepEqualTo(top5(want.get("logits")));
            // The random BN statistics must matter: identity statistics would give other logits.
            assertThat(want.get("logits").abs().max().getFloat()).isGreaterThan(0.1f);
        }
    }

    @Test
    void widthsOutsideTheTableBuildACustomSpecAndNamedModelsReportConflicts() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            Path file = TorchPickleTest.fixture("small_resnet18.pth");
            var loaded = WeightsLoader.load(file.toString(), WeightsLoader.Options.defaults(), m);
            var spec = loaded.net().config().spec();
            assertThat(spec.name()).isEqualTo("custom-resnet18");
            assertThat(spec.blocks()).containsExactly(2, 2, 2, 2);
            assertThat(spec.widths()).containsExactly(8, 16, 32, 64);
            assertThat(loaded.net().config().classes()).isEqualTo(1000);
            assertThat(spec.description()).contains("basic units [2, 2, 2, 2], widths [8, 16, 32, 64]");
            assertThatThrownBy(() -> WeightsLoader.load(file.toString(), new WeightsLoader.Options("resnet18", null, null), m))
                    .isInstanceOf(WeightsFormatException.class)
                    .hasMessageContaining("shape conflicts")
                    .hasMessageContaining("conv1.weight is (8, 3, 7, 7) in the file but (64, 3, 7, 7) in resnet18");
        }
    }
}
