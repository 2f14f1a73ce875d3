package io.resnet4j.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class AugmentationTest {
    private static final int N = CifarData.IMAGE_SIZE;

    private static byte[] randomImage(long seed) {
        byte[] b = new byte[N];
        new Random(seed).nextBytes(b);
        for (int k = 0; k < N; k++) {
            if (b[k] == 0) {
                b[k] = 1; // no raw zeros, so padding (raw 0) is distinguishable from image content
            }
        }
        return b;
    }

    private static float[] run(byte[] img, int dx, int dy, boolean flip, Normalization norm) {
        float[] out = new float[N + 5];
        Augmentation.apply(img, 0, dx, dy, flip, norm, out, 5); // non-zero offset on purpose
        float[] r = new float[N];
        System.arraycopy(out, 5, r, 0, N);
        return r;
    }

    @Test
    void centredCropWithoutFlipIsTheIdentity() {
        byte[] img = randomImage(1);
        float[] out = run(img, 4, 4, false, Normalization.raw());
        for (int k = 0; k < N; k++) {
            assertThat(out[k]).isEqualTo(img[k] & 0xFF);
        }
        // The identity fast path and the general path agree too.
        float[] viaCode = new float[N];
        Augmentation.apply(img, 0, Augmentation.IDENTITY, Normalization.raw(), viaCode, 0);
        assertThat(viaCode).isEqualTo(out);
    }

    @Test
    void flipMirrorsEachRow() {
        byte[] img = randomImage(2);
        float[] out = run(img, 4, 4, true, Normalization.raw());
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 32; y++) {
                for (int x = 0; x < 32; x++) {
                    assertThat(out[c * 1024 + y * 32 + x]).isEqualTo(img[c * 1024 + y * 32 + (31 - x)] & 0xFF);
                }
            }
        }
    }

    @Test
    void cornerCropShiftsTheImageAndPadsWithZeros() {
        byte[] img = randomImage(3);
        // dx=0, dy=0: the crop's top-left is 4 padded pixels up and left of the image.
        float[] out = run(img, 0, 0, false, Normalization.raw());
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 32; y++) {
                for (int x = 0; x < 32; x++) {
                    float v = out[c * 1024 + y * 32 + x];
                    if (y < 4 || x < 4) {
                        assertThat(v).as("padding at c%d y%d x%d", c, y, x).isZero();
                    } else {
                        assertThat(v).isEqualTo(img[c * 1024 + (y - 4) * 32 + (x - 4)] & 0xFF);
                    }
                }
            }
        }
        // dx=8, dy=8: padding on the right and bottom.
        out = run(img, 8, 8, false, Normalization.raw());
        assertThat(out[31 * 32 + 31]).isZero();
        assertThat(out[27 * 32 + 27]).isEqualTo(img[31 * 32 + 31] & 0xFF);
        assertThat(out[28 * 32 + 0]).isZero();
        assertThat(out[0 * 32 + 28]).isZero();
    }

    /** Straight transcription of the reference: np.pad raw, crop, flip with [..., ::-1], subtract mean, /64. */
    private static float[] reference(byte[] img, int dx, int dy, boolean flip, float[] mean01) {
        int[][][] padded = new int[3][40][40];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 32; y++) {
                for (int x = 0; x < 32; x++) {
                    padded[c][y + 4][x + 4] = img[c * 1024 + y * 32 + x] & 0xFF;
                }
            }
        }
        float[] out = new float[N];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 32; y++) {
                for (int x = 0; x < 32; x++) {
                    int crop = padded[c][dy + y][dx + (flip ? 31 - x : x)];
                    out[c * 1024 + y * 32 + x] = (crop - mean01[c * 1024 + y * 32 + x] * 255f) / 64f;
                }
            }
        }
        return out;
    }

    @Test
    void everyOffsetAndFlipMatchesTheReferencePipeline() {
        byte[] img = randomImage(4);
        float[] mean = new float[N];
        Random r = new Random(5);
        for (int k = 0; k < N; k++) {
            mean[k] = r.nextFloat();
        }
        Normalization norm = Normalization.paper(mean);
        for (int dx = 0; dx <= 8; dx++) {
            for (int dy = 0; dy <= 8; dy++) {
                for (boolean flip : new boolean[] {false, true}) {
                    float[] got = run(img, dx, dy, flip, norm);
                    float[] want = reference(img, dx, dy, flip, mean);
                    for (int k = 0; k < N; k++) {
                        assertThat(got[k]).as("dx %d dy %d flip %s k %d", dx, dy, flip, k)
                                .isCloseTo(want[k], within(1e-5f));
                    }
                }
            }
        }
    }

    @Test
    void paddingNormalisesAsRawZeroMinusMean() {
        float[] mean = new float[N];
        java.util.Arrays.fill(mean, 0.5f);
        float[] out = run(randomImage(6), 0, 0, false, Normalization.paper(mean));
        assertThat(out[0]).isCloseTo(-0.5f * 255f / 64f, within(1e-6f));
    }

    @Test
    void drawIsDeterministicUniformAndFlipsHalfTheTime() {
        int[] dx = new int[9];
        int[] dy = new int[9];
        int flips = 0;
        int n = 90_000;
        for (int p = 0; p < n; p++) {
            int code = Augmentation.draw(42, 3, p);
            assertThat(Augmentation.draw(42, 3, p)).isEqualTo(code);
            dx[Augmentation.dx(code)]++;
            dy[Augmentation.dy(code)]++;
            flips += Augmentation.flip(code) ? 1 : 0;
        }
        for (int i = 0; i < 9; i++) {
            assertThat(dx[i]).isBetween(9_500, 10_500);
            assertThat(dy[i]).isBetween(9_500, 10_500);
        }
        assertThat(flips).isBetween(44_000, 46_000);
        // Another epoch or another seed draws independently: equal codes only by chance (1 in 162).
        int sameEpoch = 0;
        int sameSeed = 0;
        for (int p = 0; p < 1000; p++) {
            sameEpoch += Augmentation.draw(42, 4, p) == Augmentation.draw(42, 3, p) ? 1 : 0;
            sameSeed += Augmentation.draw(43, 3, p) == Augmentation.draw(42, 3, p) ? 1 : 0;
        }
        assertThat(sameEpoch).isLessThan(30);
        assertThat(sameSeed).isLessThan(30);
        assertThat(Augmentation.dx(Augmentation.IDENTITY)).isEqualTo(4);
        assertThat(Augmentation.flip(Augmentation.IDENTITY)).isFalse();
    }
}
