package io.resnet4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** train / fine-tune / eval on an image folder made in the test (two classes of drawn shapes). */
class ImageFolderCliTest {

    static Path makeFolder(Path root) throws Exception {
        Random r = new Random(3);
        for (String split : new String[] {"train", "val"}) {
            for (String cls : new String[] {"disc", "bar"}) {
                Path dir = Files.createDirectories(root.resolve(split).resolve(cls));
                for (int i = 0; i < (split.equals("train") ? 8 : 4); i++) {
                    BufferedImage img = new BufferedImage(40 + r.nextInt(20), 40 + r.nextInt(20), BufferedImage.TYPE_INT_RGB);
                    Graphics2D g = img.createGraphics();
                    g.setColor(new Color(r.nextInt(256), r.nextInt(256), r.nextInt(256)));
                    if (cls.equals("disc")) {
                        g.fillOval(5, 5, 25, 25);
                    } else {
                        g.fillRect(2, 15, 36, 8);
                    }
                    g.dispose();
                    ImageIO.write(img, i % 2 == 0 ? "png" : "jpg", dir.resolve(i + (i % 2 == 0 ? ".png" : ".jpg")).toFile());
                }
            }
        }
        return root;
    }

    @Test
    void trainFineTuneAndEvaluateAnImageFolder(@TempDir Path tmp) throws Exception {
        Path data = makeFolder(tmp.resolve("data"));
        Path run = tmp.resolve("run");
        CliTest.Result t = CliTest.run("train", "--data", data.toString(), "--model", "resnet18", "--input", "32",
                "--batch-size", "4", "--iterations", "4", "--log-every", "2", "--output", run.toString());
        assertThat(t.code()).as(t.err()).isZero();
        assertThat(t.out()).contains("16 images (train)").contains("8 images (val)");
        JsonNode cfg = new ObjectMapper().readTree(run.resolve("run.json").toFile()).get("config");
        assertThat(cfg.get("classes").asInt()).isEqualTo(2);
        assertThat(cfg.get("input_size").asInt()).isEqualTo(32);

        Path tuned = tmp.resolve("tuned");
        CliTest.Result f = CliTest.run("train", "--data", data.toString(), "--init", run.resolve("model.safetensors").toString(),
                "--num-classes", "2", "--freeze-until", "conv4_x", "--head-lr", "0.01", "--batch-size", "4",
                "--iterations", "2", "--output", tuned.toString());
        assertThat(f.code()).as(f.err()).isZero();

        for (String protocol : new String[] {"center", "ten-crop", "multi-scale"}) {
            CliTest.Result e = CliTest.run("eval", "--weights", tuned.resolve("model.safetensors").toString(), "--data",
                    data.toString(), "--protocol", protocol, "--scales", "224,256", "--json");
            assertThat(e.code()).as(protocol + ": " + e.err() + e.out()).isZero();
            JsonNode o = new ObjectMapper().readTree(e.out());
            assertThat(o.get("protocol").asText()).isEqualTo(protocol);
            assertThat(o.get("images").asInt()).isEqualTo(8);
            assertThat(o.get("top1_error").asDouble()).isBetween(0.0, 1.0);
            CliTest.Result eager = CliTest.run("eval", "--weights", tuned.resolve("model.safetensors").toString(),
                    "--data", data.toString(), "--protocol", protocol, "--scales", "224,256", "--json", "--engine",
                    "pytorch");
            assertThat(eager.code()).as(protocol + ": " + eager.err()).isZero();
            JsonNode p = new ObjectMapper().readTree(eager.out());
            assertThat(p.get("top1_error").asDouble()).as(protocol + " on both engines")
                    .isEqualTo(o.get("top1_error").asDouble());
            assertThat(p.get("top5_error").asDouble()).isEqualTo(o.get("top5_error").asDouble());
        }
        CliTest.Result bad = CliTest.run("eval", "--weights", tuned.resolve("model.safetensors").toString(), "--data",
                data.toString(), "--protocol", "five-crop");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("center, ten-crop or multi-scale");
    }
}
