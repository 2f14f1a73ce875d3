package io.resnet4j.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.resnet4j.io.HostileFiles;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Image files are untrusted: sizes are read from the header and judged before anything is decoded. */
class HostileImagesTest {

    static final Duration BOUND = Duration.ofSeconds(20);

    /** A small real photo-like image (a gradient) as JPEG or PNG bytes. */
    static byte[] encoded(String format, int w, int h) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, (x * 255 / w) << 16 | (y * 255 / h) << 8 | 128);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, format, out);
        return out.toByteArray();
    }

    @Test
    void anImageOverThePixelLimitIsRefusedFromItsHeaderWithTheTrueCount(@TempDir Path dir) throws Exception {
        Path big = HostileFiles.hugePng(dir.resolve("big.png"), 20_000, 20_000);
        assertThat(Files.size(big)).isLessThan(10_000);
        assertTimeoutPreemptively(BOUND, () -> assertThatThrownBy(() -> ImageLoader.read(big))
                .isInstanceOf(IOException.class)
                .hasMessage(big + " is 20000x20000 = 400,000,000 pixels, more than the limit of 89,478,485 (a"
                        + " decompression bomb, or a photo larger than a network needs); raise it with --max-pixels"));
        // 30000 x 30000 overflows an int (the report's -1594967296); the count is a long.
        Path bigger = HostileFiles.hugePng(dir.resolve("bigger.png"), 30_000, 30_000);
        assertThatThrownBy(() -> ImageLoader.read(bigger)).hasMessageContaining("= 900,000,000 pixels");
    }

    @Test
    void theLimitIsTheCallersChoice(@TempDir Path dir) throws Exception {
        Path png = Files.write(dir.resolve("a.png"), encoded("png", 100, 50));
        assertThatThrownBy(() -> ImageLoader.read(png, 4_999, w -> {})).hasMessageContaining("more than the limit of 4,999");
        assertThat(ImageLoader.read(png, 5_000, w -> {}).width()).isEqualTo(100);
    }

    @Test
    void aTruncatedJpegDecodesWithAWarningNamingTheFile(@TempDir Path dir) throws Exception {
        byte[] jpeg = encoded("jpg", 320, 240);
        Path cut = Files.write(dir.resolve("cut.jpg"), Arrays.copyOf(jpeg, jpeg.length * 3 / 4));
        List<String> warnings = new ArrayList<>();
        RgbImage img = ImageLoader.read(cut, ImageLoader.DEFAULT_MAX_PIXELS, warnings::add);
        assertThat(img.width()).isEqualTo(320);
        assertThat(warnings).isNotEmpty().allSatisfy(w -> assertThat(w).startsWith(cut + ": "));
        assertThat(String.join("\n", warnings)).containsIgnoringCase("premature end");
    }

    @Test
    void aTruncatedPngIsAnErrorNamingTheFile(@TempDir Path dir) throws Exception {
        byte[] png = encoded("png", 64, 48);
        Path cut = Files.write(dir.resolve("cut.png"), Arrays.copyOf(png, png.length / 2));
        assertThatThrownBy(() -> ImageLoader.read(cut)).isInstanceOf(IOException.class)
                .hasMessageStartingWith(cut + " is not a readable image: ");
    }

    @Test
    void aFifoIsRefusedInsteadOfBlockingTheRead(@TempDir Path dir) throws Exception {
        Path fifo = HostileFiles.mkfifo(dir.resolve("pipe.png"));
        assertTimeoutPreemptively(BOUND, () -> assertThatThrownBy(() -> ImageLoader.read(fifo))
                .hasMessage(fifo + " is not a regular file (a FIFO, socket or device); expected an image"));
    }
}
