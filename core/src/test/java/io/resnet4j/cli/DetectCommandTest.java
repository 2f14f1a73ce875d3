package io.resnet4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.resnet4j.detection.CocoCategories;
import io.resnet4j.detection.model.DetectorFiles;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code resnet4j detect} in-process on a fasterrcnn_resnet50_fpn file with the fixtures' formula
 * weights (whose class scores are spread enough that boxes pass the default threshold), on small
 * synthetic images at a small input size.
 */
class DetectCommandTest {

    static String weights;

    @BeforeAll
    static void weights() throws Exception {
        weights = DetectorFiles.fpnResnet50().toString();
    }

    static Path image(Path dir, String name, int w, int h) throws Exception {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, (x * 255 / w) << 16 | (y * 255 / h) << 8 | ((x + y) % 64) * 4);
            }
        }
        Path file = dir.resolve(name);
        ImageIO.write(img, "png", file.toFile());
        return file;
    }

    @Test
    void jsonListsEachImagesDetectionsBestFirstInItsOwnPixels(@TempDir Path dir) throws Exception {
        Path a = image(dir, "a.png", 120, 80);
        Files.writeString(dir.resolve("broken.png"), "not a png");
        CliTest.Result r = CliTest.run("detect", "--weights", weights, "--min-size", "64", "--max-size", "96",
                "--max-detections", "7", "--score-threshold", "0.02", "--json", dir.toString());
        assertThat(r.code()).as(r.err()).isEqualTo(1); // the broken file is reported, the others still run
        assertThat(r.err()).contains("skipping " + dir.resolve("broken.png")).contains("1 of 2 inputs could not be read");
        JsonNode results = new ObjectMapper().readTree(r.out());
        assertThat(results).hasSize(1);
        assertThat(results.get(0).get("image").asText()).isEqualTo(a.toString());
        JsonNode found = results.get(0).get("detections");
        assertThat(found.size()).isBetween(1, 7);
        double previous = 1;
        for (JsonNode d : found) {
            JsonNode box = d.get("box");
            assertThat(box.get(0).asDouble()).isBetween(0.0, box.get(2).asDouble());
            assertThat(box.get(1).asDouble()).isBetween(0.0, box.get(3).asDouble());
            assertThat(box.get(2).asDouble()).isLessThanOrEqualTo(120);
            assertThat(box.get(3).asDouble()).isLessThanOrEqualTo(80);
            int label = d.get("label").asInt();
            assertThat(label).isBetween(1, 90);
            assertThat(d.get("name").asText()).isEqualTo(CocoCategories.names().get(label));
            assertThat(d.get("score").asDouble()).isGreaterThan(0.02).isLessThanOrEqualTo(previous);
            previous = d.get("score").asDouble();
        }
    }

    @Test
    void drawingsAreWrittenOnceAndReplacedOnlyWithForce(@TempDir Path dir) throws Exception {
        Path in = Files.createDirectories(dir.resolve("in"));
        image(in, "street.png", 90, 60);
        Path out = dir.resolve("drawn");
        String[] args = {"detect", "--weights", weights, "--min-size", "64", "--max-size", "96", "--draw", out.toString(),
            in.toString()};
        CliTest.Result first = CliTest.run(args);
        assertThat(first.code()).as(first.err()).isZero();
        assertThat(first.out()).contains("street.png").contains("detections)");
        BufferedImage drawn = ImageIO.read(out.resolve("street.png").toFile());
        assertThat(drawn.getWidth()).isEqualTo(90);
        assertThat(drawn.getHeight()).isEqualTo(60);

        CliTest.Result again = CliTest.run(args);
        assertThat(again.code()).isEqualTo(2);
        assertThat(again.err()).contains("already exists").contains("--force");
        String[] forced = java.util.Arrays.copyOf(args, args.length + 1);
        forced[args.length] = "--force";
        assertThat(CliTest.run(forced).code()).isZero();
    }

    @Test
    void badValuesAndWrongWeightsAreUsageErrors(@TempDir Path dir) throws Exception {
        Path a = image(dir, "a.png", 40, 30);
        CliTest.Result threshold = CliTest.run("detect", "--weights", weights, "--score-threshold", "1.5", a.toString());
        assertThat(threshold.code()).isEqualTo(2);
        assertThat(threshold.err()).contains("--score-threshold must be between 0 and 1, got 1.5");
        CliTest.Result classifier = CliTest.run("detect", "--weights", "torchvision:resnet50", a.toString());
        assertThat(classifier.code()).isEqualTo(2);
        assertThat(classifier.err()).contains("torchvision:resnet50 is an image classifier, not a detector")
                .contains("torchvision:fasterrcnn_resnet50_fpn");
        Path b = image(Files.createDirectories(dir.resolve("other")), "a.png", 40, 30);
        CliTest.Result clash = CliTest.run("detect", "--weights", weights, "--draw", dir.resolve("d").toString(),
                a.toString(), b.toString());
        assertThat(clash.code()).isEqualTo(2);
        assertThat(clash.err()).contains("would both be drawn to");
    }
}
