package io.resnet4j.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class NormalizationTest {
    @Test
    void pixelMeanOfATinyKnownSet() {
        byte[] px = new byte[3 * 3072];
        // Position 0 (red, 0,0): 0, 255, 51 -> mean 102/255 = 0.4
        px[0] = 0;
        px[3072] = (byte) 255;
        px[2 * 3072] = 51;
        // Position 1024 + 33 (green, row 1, col 1): 10, 20, 30 -> 20/255
        px[1024 + 33] = 10;
        px[3072 + 1024 + 33] = 20;
        px[2 * 3072 + 1024 + 33] = 30;
        // Last position (blue, 31, 31): all 255 -> 1.0
        px[3071] = (byte) 255;
        px[3072 + 3071] = (byte) 255;
        px[2 * 3072 + 3071] = (byte) 255;
        CifarData d = new CifarData(px, new byte[] {0, 1, 2}, Cifar10.DEFAULT_CLASS_NAMES, "t", Split.TRAIN);

        float[] mean = PixelMean.compute(d);

        assertThat(mean).hasSize(3072);
        assertThat(mean[0]).isCloseTo(0.4f, within(1e-7f));
        assertThat(mean[1024 + 33]).isCloseTo(20f / 255f, within(1e-7f));
        assertThat(mean[3071]).isEqualTo(1f);
        assertThat(mean[1]).isZero();
    }

    @Test
    void paperNormalisationIsMeanSubtractedOver64() {
        float[] mean = new float[3072];
        mean[7] = 100f / 255f;
        Normalization n = Normalization.paper(mean);
        assertThat(n.apply(7, 164)).isCloseTo(1f, within(1e-6f));
        assertThat(n.apply(8, 64)).isCloseTo(1f, within(1e-6f));
        byte[] img = new byte[3072];
        img[7] = (byte) 228;
        float[] out = new float[3072];
        n.apply(img, 0, out, 0);
        assertThat(out[7]).isCloseTo(2f, within(1e-6f));
        assertThat(n.mean()).isEqualTo(mean);
        assertThat(n.std()).containsExactly(64f / 255f, 64f / 255f, 64f / 255f);
        Normalization back = Normalization.of(n.mean(), n.std());
        assertThat(back.apply(7, 164)).isEqualTo(n.apply(7, 164));
    }

    @Test
    void perChannelUsesOneMeanAndStdPerPlane() {
        Normalization n = Normalization.perChannel(new float[] {0.5f, 0.25f, 0f}, new float[] {0.5f, 0.25f, 1f});
        assertThat(n.apply(0, 255)).isCloseTo(1f, within(1e-6f)); // (1 - 0.5) / 0.5
        assertThat(n.apply(1024 + 500, 0)).isCloseTo(-1f, within(1e-6f)); // (0 - 0.25) / 0.25
        assertThat(n.apply(2048 + 1023, 51)).isCloseTo(0.2f, within(1e-6f));
        assertThatThrownBy(() -> Normalization.of(new float[3], new float[3]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Normalization.of(new float[3072], new float[] {1, 0, 1}))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void emptyDataHasNoMean() {
        CifarData d = new CifarData(new byte[0], new byte[0], List.of("a"), "t", Split.TRAIN);
        assertThatThrownBy(() -> PixelMean.compute(d)).isInstanceOf(IllegalArgumentException.class);
    }
}
