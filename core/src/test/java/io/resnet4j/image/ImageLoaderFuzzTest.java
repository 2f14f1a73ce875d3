package io.resnet4j.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Any bytes as an image file, decoded with a one-megapixel limit: an RGB image within the limit,
 * or an IOException naming the file. An unchecked exception or an error escaping ImageIO is a finding.
 */
class ImageLoaderFuzzTest {

    static Path file;

    @BeforeAll
    static void open() throws Exception {
        file = Files.createTempFile("fuzz", ".img");
    }

    @AfterAll
    static void close() throws Exception {
        Files.deleteIfExists(file);
    }

    @FuzzTest(maxDuration = "60s")
    void image(byte[] data) throws Exception {
        Files.write(file, data);
        try {
            RgbImage img = ImageLoader.read(file, 1 << 20, warning -> assertThat(warning).startsWith(file.toString()));
            assertThat((long) img.width() * img.height()).isLessThanOrEqualTo(1 << 20);
        } catch (IOException e) {
            assertThat(e.getMessage()).contains(file.toString());
        }
    }
}
