package io.resnet4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.resnet4j.image.ImageLoader;
import io.resnet4j.image.ImageTransform;
import io.resnet4j.io.Checkpoint;
import io.resnet4j.io.SafeTensors;
import io.resnet4j.io.WeightsLoader;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * convert, predict and features run in-process on a PyTorch-made CIFAR resnet20 state_dict (wrapped
 * as {"epoch", "state_dict"} with DataParallel's "module." prefix) and on real photo crops.
 */
class WeightsCliTest {

    @TempDir
    static Path dir;
    static Path pth;
    static Path images;


    static CliTest.Result run(String... args) {
        return CliTest.run(args);
    }

    static Path fixture(String name) throws Exception {
        return Path.of(WeightsCliTest.class.getResource("/weights/" + name).toURI());
    }

    @BeforeAll
    static void photos() throws Exception {
        pth = fixture("resnet20_wrapped.pth");
        images = Files.createDirectories(dir.resolve("photos"));
        try (NDManager m = NDManager.newBaseManager()) {
            var contents = SafeTensors.read(fixture("images_224.safetensors"), m);
            byte[] all = contents.tensors().get("images").toByteArray();
            List<String> names = List.of(new ObjectMapper().readValue(contents.metadata().get("images"), String[].class));
            for (int i = 0; i < names.size(); i++) {
                BufferedImage img = new BufferedImage(224, 224, BufferedImage.TYPE_INT_RGB);
                for (int p = 0; p < 224 * 224; p++) {
                    int o = (i * 224 * 224 + p) * 3;
                    img.setRGB(p % 224, p / 224, (all[o] & 0xff) << 16 | (all[o + 1] & 0xff) << 8 | (all[o + 2] & 0xff));
                }
                ImageIO.write(img, "png", images.resolve(names.get(i).replaceAll("\\.\\w+$", ".png")).toFile());
            }
        }
        Files.write(images.resolve("corrupt.jpg"), new byte[] {(byte) 0xff, (byte) 0xd8, 1, 2, 3});
    }

    @Test
    void convertInfersResnet20AndTheCheckpointComputesWhatPyTorchComputes() throws Exception {
        Path out = dir.resolve("r20.safetensors");
        CliTest.Result r = run("convert", pth.toString(), out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("resnet20, shortcut A, 10 classes, 269,722 parameters");
        Checkpoint.Info info = Checkpoint.readInfo(out);
        assertThat(info.config().spec().name()).isEqualTo("resnet20");
        assertThat(info.provenance().get("converted_from").asText()).isEqualTo(pth.toString());
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> want = SafeTensors.read(fixture("resnet20_expected.safetensors"), m).tensors();
            for (Path weights : List.of(pth, out)) {
                WeightsLoader.Loaded l = WeightsLoader.load(weights.toString(), WeightsLoader.Options.defaults(), m);
                NDArray logits = l.net().forward(new ParameterStore(m, false), new NDList(want.get("input")), false)
                        .singletonOrThrow();
                float err = logits.sub(want.get("logits")).abs().max().getFloat() / want.get("logits").abs().max().getFloat();
                assertThat(err).as(weights.toString()).isLessThan(1e-5f);
            }
        }
    }

    @Test
    void predictJsonFollowsTheContractAndSkipsTheCorruptImage() throws Exception {
        CliTest.Result r = run("predict", "--weights", pth.toString(), "--json", "--top", "3", "--batch-size", "3", images.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("skipping " + images.resolve("corrupt.jpg")).contains("1 of 5 inputs could not be read");
        JsonNode a = new ObjectMapper().readTree(r.out());
        assertThat(a.size()).isEqualTo(4);
        assertThat(a.get(0).get("image").asText()).isEqualTo(images.resolve("astronaut.png").toString());
        for (JsonNode o : a) {
            assertThat(o.get("top").size()).isEqualTo(3);
            double prev = 1.0;
            for (JsonNode t : o.get("top")) {
                assertThat(t.get("name").asText()).isEqualTo("class " + t.get("index").asInt());
                assertThat(t.get("probability").asDouble()).isBetween(0.0, prev);
                prev = t.get("probability").asDouble();
            }
        }
        // The probabilities are the network's softmax on the default CIFAR-stem transform (resize 32, crop 32).
        try (NDManager m = NDManager.newBaseManager()) {
            WeightsLoader.Loaded l = WeightsLoader.load(pth.toString(), WeightsLoader.Options.defaults(), m);
            ImageTransform t = ImageTransform.of(l.preprocessing(), null, null);
            assertThat(t.resize()).isEqualTo(32);
            float[] x = t.apply(ImageLoader.read(images.resolve("coffee.png")));
            float[] p = l.net().forward(new ParameterStore(m, false), new NDList(m.create(x, new ai.djl.ndarray.types.Shape(1, 3, 32, 32))), false)
                    .singletonOrThrow().softmax(1).toFloatArray();
            JsonNode coffee = a.get(2);
            assertThat(coffee.get("image").asText()).endsWith("coffee.png");
            int best = coffee.get("top").get(0).get("index").asInt();
            assertThat(io.resnet4j.inference.Prediction.topIndices(p, 1)[0]).isEqualTo(best);
            assertThat(coffee.get("top").get(0).get("probability").asDouble()).isCloseTo(p[best], org.assertj.core.data.Offset.offset(1e-6));
        }
    }

    @Test
    void exportedOnnxPredictsWhatTheEagerNetworkPredicts() throws Exception {
        Path onnx = dir.resolve("export").resolve("r20.onnx");
        CliTest.Result r = run("export", "--weights", pth.toString(), "--output", onnx.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("resnet20").contains("269,722 parameters").contains("batch norm folded")
                .contains("checked in ONNX Runtime");
        assertThat(onnx).isRegularFile();
        CliTest.Result again = run("export", "--weights", pth.toString(), "--output", onnx.toString());
        assertThat(again.code()).isEqualTo(2);
        assertThat(again.err()).contains("exists").contains("--force");
        assertThat(run("export", "--weights", pth.toString(), "--format", "tflite", "-o", dir.resolve("x").toString())
                .err()).contains("unknown --format 'tflite'");

        JsonNode eager = predictJson("--weights", pth.toString(), "--engine", "pytorch");
        JsonNode inMemory = predictJson("--weights", pth.toString(), "--engine", "onnxruntime");
        JsonNode fromFile = predictJson("--weights", onnx.toString());
        assertThat(eager.size()).isEqualTo(4);
        for (JsonNode other : List.of(inMemory, fromFile)) {
            assertThat(other.size()).isEqualTo(eager.size());
            for (int i = 0; i < eager.size(); i++) {
                JsonNode a = eager.get(i).get("top");
                JsonNode b = other.get(i).get("top");
                assertThat(other.get(i).get("image").asText()).isEqualTo(eager.get(i).get("image").asText());
                for (int j = 0; j < a.size(); j++) {
                    assertThat(b.get(j).get("index").asInt()).isEqualTo(a.get(j).get("index").asInt());
                    assertThat(b.get(j).get("name").asText()).isEqualTo(a.get(j).get("name").asText());
                    assertThat(b.get(j).get("probability").asDouble())
                            .isCloseTo(a.get(j).get("probability").asDouble(), org.assertj.core.data.Offset.offset(1e-5));
                }
            }
        }
        CliTest.Result wrongEngine = run("predict", "--weights", onnx.toString(), "--engine", "pytorch", images.toString());
        assertThat(wrongEngine.code()).isEqualTo(2);
        assertThat(wrongEngine.err()).contains("only the onnxruntime engine runs");
    }

    private static JsonNode predictJson(String... args) throws Exception {
        List<String> all = new java.util.ArrayList<>(List.of("predict", "--json", "--top", "3"));
        all.addAll(List.of(args));
        all.add(images.toString());
        CliTest.Result r = run(all.toArray(String[]::new));
        assertThat(r.code()).as(r.err()).isEqualTo(1); // the corrupt image is skipped and reported
        return new ObjectMapper().readTree(r.out());
    }

    @Test
    void featuresGivesPooledVectorsAndStageMaps() throws Exception {
        Path one = images.resolve("rocket.png");
        CliTest.Result pool = run("features", "--weights", pth.toString(), "--json", one.toString());
        assertThat(pool.code()).as(pool.err()).isZero();
        JsonNode p = new ObjectMapper().readTree(pool.out());
        assertThat(p.get(0).get("image").asText()).isEqualTo(one.toString());
        assertThat(p.get(0).get("features").size()).isEqualTo(64);

        CliTest.Result map = run("features", "--weights", pth.toString(), "--layer", "conv3_x", "--json", one.toString());
        JsonNode f = new ObjectMapper().readTree(map.out()).get(0).get("features");
        assertThat(f.size()).isEqualTo(32);
        assertThat(f.get(0).size()).isEqualTo(16);
        assertThat(f.get(0).get(0).size()).isEqualTo(16);

        Path file = dir.resolve("feats.safetensors");
        CliTest.Result written = run("features", "--weights", pth.toString(), "--output", file.toString(), images.toString());
        assertThat(written.code()).isEqualTo(1); // corrupt.jpg
        try (NDManager m = NDManager.newBaseManager()) {
            var c = SafeTensors.read(file, m);
            assertThat(c.tensors().get("features").getShape()).isEqualTo(new ai.djl.ndarray.types.Shape(4, 64));
            assertThat(c.metadata()).containsEntry("layer", "pool").containsEntry("model", "resnet20");
            // Row 3 is rocket.png; it must equal the --json vector.
            float[] row = c.tensors().get("features").get(3).toFloatArray();
            // (equal up to float rounding: a batch of 4 and a batch of 1 may use different conv kernels)
            assertThat(row[5]).isCloseTo((float) p.get(0).get("features").get(5).asDouble(),
                    org.assertj.core.data.Offset.offset(1e-6f));
        }

        CliTest.Result bad = run("features", "--weights", pth.toString(), "--layer", "conv5_x", one.toString());
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("resnet20 has 3 stages").contains("pool, conv2_x, conv3_x, conv4_x");
        CliTest.Result both = run("features", "--weights", pth.toString(), "--json", "--output", "x", one.toString());
        assertThat(both.code()).isEqualTo(2);
    }

    @Test
    void refusesMaliciousAndMismatchedWeightsBeforeRunning() throws Exception {
        Path evil = io.resnet4j.io.TorchPickleTestAccess.malicious(dir);
        CliTest.Result r = run("predict", "--weights", evil.toString(), images.resolve("rocket.png").toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("refusing to load evil.pth: its pickle names the global 'os.system'");
        assertThat(r.out()).isEmpty();

        CliTest.Result wrong = run("predict", "--weights", pth.toString(), "--model", "resnet32", images.resolve("rocket.png").toString());
        assertThat(wrong.code()).isEqualTo(1);
        assertThat(wrong.err()).contains("weights do not fit resnet32: missing keys (60): layer1.3.conv1.weight");
        CliTest.Result unknown = run("predict", "--weights", "torchvision:resnet51", images.toString());
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).contains("torchvision:resnet50.V2");
    }

    @Test
    void largeFoldersShowProgressOnStderrAndGrayscaleRgbaDecode() throws Exception {
        Path many = Files.createDirectories(dir.resolve("many"));
        for (int i = 0; i < ImageProgress.PROGRESS_THRESHOLD; i++) {
            int type = i % 3 == 0 ? BufferedImage.TYPE_BYTE_GRAY : i % 3 == 1 ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB;
            BufferedImage img = new BufferedImage(40 + i, 36, type);
            img.setRGB(i % 40, 3, 0xff00ff00);
            ImageIO.write(img, "png", many.resolve(String.format("img%03d.png", i)).toFile());
        }
        CliTest.Result r = run("predict", "--weights", pth.toString(), "--json", "--top", "1", many.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(new ObjectMapper().readTree(r.out()).size()).isEqualTo(ImageProgress.PROGRESS_THRESHOLD);
        assertThat(r.err()).contains("] 50/50 images").contains("\r[");
    }
}
