package io.resnet4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.resnet4j.inference.ImageClassifierTest;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** export --quantize int8 from the command line: calibration, layers kept float, and the options' rules. */
class ExportInt8CliTest {

    private static Path photoFolder(Path dir) throws Exception {
        Files.createDirectories(dir);
        List<BufferedImage> photos = ImageClassifierTest.photos();
        for (int i = 0; i < photos.size(); i++) {
            ImageIO.write(photos.get(i), "png", dir.resolve("photo" + i + ".png").toFile());
        }
        return dir;
    }

    /** {@code export --quantize int8} of the fixture network, calibrated on the photos, keeping {@code keepFloat} float. */
    private static CliTest.Result exportInt8(Path photos, String keepFloat, Path out) throws Exception {
        return CliTest.run("export", "--weights", ImageClassifierTest.weights(), "--quantize", "int8",
                "--calibration", photos.toString(), "--keep-float", keepFloat, "-o", out.toString());
    }

    @Test
    void anInt8ExportWithAStageKeptFloatClassifiesLikeTheOriginal(@TempDir Path tmp) throws Exception {
        Path photos = photoFolder(tmp.resolve("photos"));
        Path out = tmp.resolve("int8.onnx");
        CliTest.Result r = exportInt8(photos, "layer3", out);
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains(", int8, ").contains("top-1 agrees with FP32 on");
        CliTest.Result predicted = CliTest.run("predict", "--weights", out.toString(), "--top", "1", photos.toString());
        assertThat(predicted.code()).as(predicted.err()).isZero();
        assertThat(predicted.out()).contains("photo0.png");
    }

    @Test
    void unknownLayersAndQuantisationOptionsWithoutQuantizeAreUsageErrors(@TempDir Path tmp) throws Exception {
        Path photos = photoFolder(tmp.resolve("photos"));
        Path out = tmp.resolve("never.onnx");
        CliTest.Result unknown = exportInt8(photos, "layer9", out);
        assertThat(unknown.code()).as(unknown.err()).isEqualTo(2);
        assertThat(unknown.err()).contains("no convolution or addition named layer9 in this network");
        assertThat(out).doesNotExist();

        CliTest.Result fp32 = CliTest.run("export", "--weights", ImageClassifierTest.weights(), "--keep-float", "layer3",
                "--calibration", photos.toString(), "-o", out.toString());
        assertThat(fp32.code()).isEqualTo(2);
        assertThat(fp32.err()).contains("--calibration, --keep-float only apply with --quantize int8");
        assertThat(out).doesNotExist();
    }
}
