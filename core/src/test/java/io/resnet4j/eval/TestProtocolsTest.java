package io.resnet4j.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.resnet4j.data.ImageTransforms;
import io.resnet4j.image.Resampler;
import io.resnet4j.image.RgbImage;
import io.resnet4j.image.Preprocessing;
import io.resnet4j.model.BlockType;
import io.resnet4j.model.ResNet;
import io.resnet4j.model.ResNetConfig;
import io.resnet4j.model.ResNetSpec;
import io.resnet4j.model.Shortcut;
import io.resnet4j.model.Stem;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Ten-crop and multi-scale scores equal the mean of the individually computed views. */
class TestProtocolsTest {

    static ResNet tinyNet(NDManager m) {
        ResNetSpec spec = new ResNetSpec("tiny", Stem.CIFAR, 8, BlockType.BASIC, List.of(1, 1), List.of(8, 16), true,
                false, Shortcut.B, 16, 4, "test");
        return new ResNet(ResNetConfig.of(spec)).initialize(m);
    }

    static RgbImage image(int w, int h) {
        byte[] px = new byte[w * h * 3];
        new Random(5).nextBytes(px);
        return new RgbImage(w, h, px);
    }

    private static float[] softmax(float[] z) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : z) {
            max = Math.max(max, v);
        }
        double s = 0;
        float[] out = new float[z.length];
        for (int i = 0; i < z.length; i++) {
            s += Math.exp(z[i] - max);
        }
        for (int i = 0; i < z.length; i++) {
            out[i] = (float) (Math.exp(z[i] - max) / s);
        }
        return out;
    }

    private static float[] logits(ResNet net, ParameterStore ps, NDManager m, float[] chw, int h, int w) {
        NDArray x = m.create(FloatBuffer.wrap(chw), new Shape(1, 3, h, w));
        return net.forward(ps, new NDList(x), false).singletonOrThrow().toFloatArray();
    }

    @Test
    void tenCropIsTheMeanOfTheTenSoftmaxedViews() {
        try (NDManager m = NDManager.newBaseManager()) {
            ResNet net = tinyNet(m);
            ParameterStore ps = new ParameterStore(m, false);
            Preprocessing pre = Preprocessing.imagenet();
            int input = 16;
            RgbImage img = image(64, 48);
            float[] got = TestProtocols.tenCropScores(net, ps, img, pre, input, m);
            RgbImage r = Resampler.resizeShorter(img, ImageTransforms.scaled(256, input));
            int[][] corners = {{0, 0}, {r.width() - 16, 0}, {0, r.height() - 16}, {r.width() - 16, r.height() - 16}};
            float[] want = new float[4];
            for (int v = 0; v < 10; v++) {
                RgbImage c = v % 5 == 4 ? ImageTransforms.centerCrop(r, 16)
                        : ImageTransforms.crop(r, corners[v % 5][0], corners[v % 5][1], 16);
                if (v >= 5) {
                    c = ImageTransforms.horizontalFlip(c);
                }
                float[] chw = new float[3 * 256];
                ImageTransforms.toChw(c, false, chw, 0);
                ImageTransforms.normalise(chw, 0, 16, pre);
                float[] p = softmax(logits(net, ps, m, chw, 16, 16));
                for (int k = 0; k < 4; k++) {
                    want[k] += p[k] / 10;
                }
            }
            for (int k = 0; k < 4; k++) {
                assertThat(got[k]).isCloseTo(want[k], offset(1e-5f));
            }
        }
    }

    @Test
    void multiScaleAveragesThePositionScoresAndTheScales() {
        try (NDManager m = NDManager.newBaseManager()) {
            ResNet net = tinyNet(m);
            ParameterStore ps = new ParameterStore(m, false);
            Preprocessing pre = Preprocessing.imagenet();
            RgbImage img = image(64, 64);
            // The score map at each position is fc applied to that feature vector.
            float[] chw = TestProtocols.normalised(img, pre);
            NDArray x = m.create(FloatBuffer.wrap(chw), new Shape(1, 3, 64, 64));
            NDArray map = TestProtocols.scoreMap(net, ps, x);
            NDArray f = net.featureMap(ps, x);
            assertThat(map.getShape()).isEqualTo(new Shape(1, 4, 32, 32));
            NDArray at = net.classifier().forward(ps, new NDList(f.get(":, :, 3, 5")), false).singletonOrThrow();
            float[] direct = at.toFloatArray();
            float[] mapped = map.get(":, :, 3, 5").toFloatArray();
            for (int k = 0; k < 4; k++) {
                assertThat(mapped[k]).isCloseTo(direct[k], offset(1e-5f));
            }
            int[] sides = {16, 24, 40};
            float[] got = TestProtocols.multiScaleScores(net, ps, img, pre, sides, m);
            float[] want = new float[4];
            for (int s : sides) {
                RgbImage r = Resampler.resizeShorter(img, s);
                // Averaging the position scores equals fc on the globally pooled features: the standard forward.
                float[] p = softmax(logits(net, ps, m, TestProtocols.normalised(r, pre), r.height(), r.width()));
                for (int k = 0; k < 4; k++) {
                    want[k] += p[k] / sides.length;
                }
            }
            for (int k = 0; k < 4; k++) {
                assertThat(got[k]).isCloseTo(want[k], offset(1e-5f));
            }
        }
    }
}
