package io.resnet4j.image;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.resnet4j.image.Preprocessing;
import io.resnet4j.io.SafeTensors;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Decoding and resizing against PIL's own results (tools/fixtures/make_weights_fixtures.py). */
class ImageTransformTest {

    static Path fixture(String name) throws Exception {
        return Path.of(ImageTransformTest.class.getResource("/weights/" + name).toURI());
    }

    static Map<String, NDArray> expected(NDManager m) throws Exception {
        return SafeTensors.read(fixture("resize_expected.safetensors"), m).tensors();
    }

    /** Largest per-channel difference in 0-255 units, after checking the shape. */
    static int maxDiff(RgbImage img, NDArray hwc) {
        assertThat(new long[] {img.height(), img.width(), 3}).containsExactly(hwc.getShape().getShape());
        byte[] want = hwc.toByteArray();
        int max = 0;
        for (int i = 0; i < want.length; i++) {
            max = Math.max(max, Math.abs((want[i] & 0xff) - (img.rgb()[i] & 0xff)));
        }
        return max;
    }

    @Test
    void resizeMatchesPilBilinearWithAntialiasDownAndUp() throws Exception {
        RgbImage src = ImageLoader.read(fixture("resize_src.png"));
        assertThat(src.width()).isEqualTo(120);
        assertThat(src.height()).isEqualTo(90);
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> want = expected(m);
            for (int size : new int[] {64, 150}) {
                RgbImage r = Resampler.resizeShorter(src, size);
                // Same fixed-point arithmetic as Pillow: identical bytes.
                assertThat(maxDiff(r, want.get("resize_" + size))).as("resize " + size).isZero();
            }
        }
    }

    @Test
    void aWindowOfTheResizedImageIsComputedPixelForPixelAsTheWholeResizeCropped() throws Exception {
        RgbImage src = ImageLoader.read(fixture("resize_src.png"));
        java.util.Random r = new java.util.Random(3);
        int[][] sizes = {{64, 48}, {200, 150}, {120, 60}, {120, 90}, {33, 90}, {300, 17}};
        for (int[] wh : sizes) {
            RgbImage whole = Resampler.resize(src, wh[0], wh[1]);
            for (int trial = 0; trial < 20; trial++) {
                int cw = 1 + r.nextInt(wh[0]);
                int ch = 1 + r.nextInt(wh[1]);
                int x = r.nextInt(wh[0] - cw + 1);
                int y = r.nextInt(wh[1] - ch + 1);
                RgbImage window = Resampler.resizeRegion(src, wh[0], wh[1], x, y, cw, ch);
                RgbImage cropped = window(whole, x, y, cw, ch);
                assertThat(window.rgb()).as(wh[0] + "x" + wh[1] + " window " + cw + "x" + ch + " at " + x + "," + y)
                        .isEqualTo(cropped.rgb());
            }
        }
    }

    private static RgbImage window(RgbImage img, int x, int y, int w, int h) {
        byte[] out = new byte[w * h * 3];
        for (int row = 0; row < h; row++) {
            System.arraycopy(img.rgb(), ((y + row) * img.width() + x) * 3, out, row * w * 3, w * 3);
        }
        return new RgbImage(w, h, out);
    }

    @Test
    void jpegPixelsReadFromTheDecodersBytesEqualGetRgb() throws Exception {
        java.awt.image.BufferedImage picture = new java.awt.image.BufferedImage(37, 23,
                java.awt.image.BufferedImage.TYPE_INT_RGB);
        java.util.Random r = new java.util.Random(4);
        for (int y = 0; y < 23; y++) {
            for (int x = 0; x < 37; x++) {
                picture.setRGB(x, y, r.nextInt(1 << 24));
            }
        }
        var bytes = new java.io.ByteArrayOutputStream();
        javax.imageio.ImageIO.write(picture, "jpg", bytes);
        java.awt.image.BufferedImage decoded = javax.imageio.ImageIO.read(
                new java.io.ByteArrayInputStream(bytes.toByteArray()));
        assertThat(decoded.getType()).isEqualTo(java.awt.image.BufferedImage.TYPE_3BYTE_BGR);
        RgbImage fast = ImageLoader.toRgb(decoded);
        for (int y = 0; y < 23; y++) {
            for (int x = 0; x < 37; x++) {
                int p = decoded.getRGB(x, y);
                assertThat(new int[] {fast.get(x, y, 0), fast.get(x, y, 1), fast.get(x, y, 2)})
                        .containsExactly((p >> 16) & 0xff, (p >> 8) & 0xff, p & 0xff);
            }
        }
        // A sub-image shares the decoder's buffer at an offset: it must not be read as if it started at 0.
        RgbImage sub = ImageLoader.toRgb(decoded.getSubimage(5, 3, 10, 7));
        int p = decoded.getRGB(5, 3);
        assertThat(sub.get(0, 0, 0)).isEqualTo((p >> 16) & 0xff);
    }

    @Test
    void resizingToTheCurrentSizeLeavesPixelsUntouched() throws Exception {
        RgbImage src = ImageLoader.read(fixture("resize_src.png"));
        RgbImage same = Resampler.resizeShorter(src, 90);
        assertThat(same.rgb()).isEqualTo(src.rgb());
        try (NDManager m = NDManager.newBaseManager()) {
            assertThat(maxDiff(same, expected(m).get("resize_90"))).isZero();
        }
    }

    @Test
    void grayscaleAndRgbaBecomeRgbAsPilConvertDoes() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> want = expected(m);
            assertThat(maxDiff(ImageLoader.read(fixture("gray.png")), want.get("gray_rgb"))).isZero();
            assertThat(maxDiff(ImageLoader.read(fixture("rgba.png")), want.get("rgba_rgb"))).isZero();
        }
    }

    @Test
    void centreCropRoundsLikePythonAndNormalisesLikeTorchvision() {
        byte[] px = new byte[5 * 4 * 3];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) i;
        }
        RgbImage img = new RgbImage(5, 4, px);
        // (5-2)/2 = 1.5 rounds to 2 and (4-2)/2 = 1: torchvision's int(round(...)), half to even.
        RgbImage c = ImageTransform.centerCrop(img, 2);
        assertThat(c.get(0, 0, 0)).isEqualTo(img.get(2, 1, 0));
        // Larger crop than image: zero padding around it, as torchvision pads.
        RgbImage padded = ImageTransform.centerCrop(img, 6);
        assertThat(padded.get(0, 0, 0)).isZero();
        assertThat(padded.get(0, 1, 1)).isEqualTo(img.get(0, 0, 1));

        ImageTransform t = ImageTransform.of(Preprocessing.imagenet(), 0, 2);
        float[] x = t.apply(img);
        assertThat(x).hasSize(12);
        int v = img.get(2, 1, 0);
        assertThat(x[0]).isEqualTo(((float) v / 255f - 0.485f) / 0.229f);
        int b = img.get(3, 2, 2);
        assertThat(x[2 * 4 + 3]).isEqualTo(((float) b / 255f - 0.406f) / 0.225f);
    }
}
