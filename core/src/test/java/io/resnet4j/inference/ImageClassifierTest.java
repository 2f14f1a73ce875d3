package io.resnet4j.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.resnet4j.Versions;
import io.resnet4j.io.SafeTensors;
import io.resnet4j.io.WeightsLoader;
import io.resnet4j.model.ResNet;
import io.resnet4j.model.ResNetConfig;
import io.resnet4j.onnx.ExportCheck;
import io.resnet4j.onnx.OnnxExporter;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The inference facade on a PyTorch-made CIFAR resnet20 state_dict and real photo crops, on both engines. */
public class ImageClassifierTest {

    static Path dir;
    static String weights;
    static List<BufferedImage> photos = new ArrayList<>();
    static List<Path> photoFiles = new ArrayList<>();

    /** The fixture photos (decoded once per JVM), for tests of other packages too. */
    public static List<BufferedImage> photos() throws Exception {
        loadPhotos();
        return photos;
    }

    /** The PyTorch-made resnet20 fixture. */
    public static String weights() throws Exception {
        loadPhotos();
        return weights;
    }

    @BeforeAll
    static synchronized void loadPhotos() throws Exception {
        if (!photos.isEmpty()) {
            return;
        }
        dir = Files.createTempDirectory("resnet4j-classifier-test");
        dir.toFile().deleteOnExit();
        weights = Path.of(ImageClassifierTest.class.getResource("/weights/resnet20_wrapped.pth").toURI()).toString();
        Path fixture = Path.of(ImageClassifierTest.class.getResource("/weights/images_224.safetensors").toURI());
        try (NDManager m = NDManager.newBaseManager()) {
            var contents = SafeTensors.read(fixture, m);
            byte[] all = contents.tensors().get("images").toByteArray();
            int n = new ObjectMapper().readValue(contents.metadata().get("images"), String[].class).length;
            for (int i = 0; i < n; i++) {
                BufferedImage img = new BufferedImage(224, 224, BufferedImage.TYPE_INT_RGB);
                for (int p = 0; p < 224 * 224; p++) {
                    int o = (i * 224 * 224 + p) * 3;
                    img.setRGB(p % 224, p / 224, (all[o] & 0xff) << 16 | (all[o + 1] & 0xff) << 8 | (all[o + 2] & 0xff));
                }
                photos.add(img);
                Path file = dir.resolve("photo" + i + ".png");
                ImageIO.write(img, "png", file.toFile());
                photoFiles.add(file);
            }
        }
    }

    @Test
    void bothEnginesRankThePhotosAlike() throws Exception {
        try (ImageClassifier ort = ImageClassifier.builder(weights).engine("onnxruntime").threads(1).open();
                ImageClassifier eager = ImageClassifier.builder(weights).engine("pytorch").open()) {
            assertThat(ort.engine()).isEqualTo(InferenceEngine.ONNXRUNTIME);
            assertThat(eager.engine()).isEqualTo(InferenceEngine.PYTORCH);
            assertThat(ort.classNames()).hasSize(10).isEqualTo(eager.classNames());
            List<List<Prediction>> a = ort.classify(photos, 3);
            List<List<Prediction>> b = eager.classify(photos, 3);
            for (int i = 0; i < photos.size(); i++) {
                assertThat(a.get(i)).extracting(Prediction::index).isEqualTo(b.get(i).stream().map(Prediction::index).toList());
                for (int j = 0; j < 3; j++) {
                    assertThat(a.get(i).get(j).probability()).isCloseTo(b.get(i).get(j).probability(),
                            org.assertj.core.data.Offset.offset(1e-5f));
                }
            }
        }
    }

    @Test
    void aFileABufferedImageAndABatchGiveTheSameAnswer() throws Exception {
        try (ImageClassifier c = ImageClassifier.open(weights)) {
            List<List<Prediction>> batch = c.classify(photos, 10);
            for (int i = 0; i < photos.size(); i++) {
                List<Prediction> one = c.classify(photos.get(i), 10);
                assertThat(c.classify(photoFiles.get(i), 10)).isEqualTo(one);
                assertThat(one).extracting(Prediction::index)
                        .isEqualTo(batch.get(i).stream().map(Prediction::index).toList());
                assertThat(one.stream().mapToDouble(Prediction::probability).sum()).isCloseTo(1.0,
                        org.assertj.core.data.Offset.offset(1e-5));
            }
        }
    }

    @Test
    void pooledFeaturesAgreeBetweenEnginesAndFeedTheClassifier() throws Exception {
        try (ImageClassifier ort = ImageClassifier.builder(weights).engine("onnxruntime").open();
                ImageClassifier eager = ImageClassifier.builder(weights).engine("pytorch").open()) {
            assertThat(ort.featureChannels()).isEqualTo(64);
            for (BufferedImage photo : photos) {
                float[] f = ort.features(photo);
                float[] g = eager.features(photo);
                assertThat(f).hasSize(64);
                double scale = 0;
                double diff = 0;
                for (int i = 0; i < f.length; i++) {
                    scale = Math.max(scale, Math.abs(g[i]));
                    diff = Math.max(diff, Math.abs(f[i] - g[i]));
                }
                assertThat(diff / scale).isLessThan(1e-4);
            }
            float[] input = eager.input(photos);
            var maps = eager.features(input, photos.size(), 32, 32, FeatureLayer.CONV3_X);
            assertThat(maps.itemShape()).containsExactly(32, 16, 16);
            assertThatThrownBy(() -> ort.features(input, photos.size(), 32, 32, FeatureLayer.CONV3_X))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pytorch engine");
            assertThatThrownBy(() -> eager.features(input, photos.size(), 32, 32, FeatureLayer.CONV5_X))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3 stages");
        }
    }

    @Test
    void anExportWithAFixedBatchRunsShortAndFullBatches() throws Exception {
        Path onnx = dir.resolve("fixed.onnx");
        try (NDManager m = NDManager.newBaseManager()) {
            WeightsLoader.Loaded loaded = WeightsLoader.load(weights, WeightsLoader.Options.defaults(), m);
            Files.write(onnx, OnnxExporter.export(loaded.net(), List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j"),
                    loaded.preprocessing(), new OnnxExporter.Options(true, 2, 13), Versions.resnet4j()));
        }
        try (ImageClassifier fixed = ImageClassifier.open(onnx.toString());
                ImageClassifier any = ImageClassifier.open(weights)) {
            assertThat(fixed.fixedBatch()).isEqualTo(2);
            assertThat(fixed.classNames().get(3)).isEqualTo("d");
            List<Prediction> short1 = fixed.classify(photos.get(0), 3);
            assertThat(short1).extracting(Prediction::index)
                    .isEqualTo(any.classify(photos.get(0), 3).stream().map(Prediction::index).toList());
            assertThatThrownBy(() -> fixed.classify(photos.subList(0, 3), 1)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("fixed to 2");
        }
    }

    @Test
    void anInMemoryExportAnswersLikeTheWeightsItCameFrom() throws Exception {
        byte[] onnx = ImageClassifier.builder(weights).onnxModel();
        try (ImageClassifier fromBytes = ImageClassifier.builder(onnx).threads(1).open();
                ImageClassifier fromWeights = ImageClassifier.builder(weights).engine("onnxruntime").threads(1).open()) {
            assertThat(fromBytes.classNames()).isEqualTo(fromWeights.classNames());
            assertThat(fromBytes.transform()).usingRecursiveComparison().isEqualTo(fromWeights.transform());
            float[] input = fromWeights.input(photos);
            assertThat(fromBytes.logits(input, photos.size(), 32, 32))
                    .containsExactly(fromWeights.logits(input, photos.size(), 32, 32));
        }
        assertThatThrownBy(() -> ImageClassifier.builder(onnx).engine("pytorch").open())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("onnxruntime engine");
    }

    @Test
    void batchesFromSeveralThreadsGetTheirOwnAnswers() throws Exception {
        try (ImageClassifier c = ImageClassifier.builder(weights).engine("onnxruntime").threads(1).open()) {
            List<float[]> inputs = new ArrayList<>();
            List<float[]> serial = new ArrayList<>();
            for (BufferedImage photo : photos) {
                float[] one = c.input(List.of(photo));
                inputs.add(one);
                serial.add(c.logits(one, 1, 32, 32));
            }
            var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
            try {
                for (int round = 0; round < 20; round++) {
                    List<java.util.concurrent.Future<float[]>> parallel = new ArrayList<>();
                    for (float[] one : inputs) {
                        parallel.add(pool.submit(() -> c.logits(one, 1, 32, 32)));
                    }
                    for (int i = 0; i < inputs.size(); i++) {
                        assertThat(parallel.get(i).get()).containsExactly(serial.get(i));
                    }
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void decodingBytesGivesThePixelsOfTheFile() throws Exception {
        Path file = photoFiles.get(0);
        assertThat(io.resnet4j.image.ImageLoader.decode(Files.readAllBytes(file), "photo").rgb())
                .isEqualTo(io.resnet4j.image.ImageLoader.read(file).rgb());
        assertThatThrownBy(() -> io.resnet4j.image.ImageLoader.decode(new byte[] {(byte) 0xff, (byte) 0xd8, 1, 2}, "row 7"))
                .isInstanceOf(java.io.IOException.class).hasMessageContaining("row 7");
    }

    @Test
    void anOnnxFileRefusesTheEagerEngine() {
        assertThatThrownBy(() -> ImageClassifier.builder(dir.resolve("x.onnx").toString()).engine("pytorch").open())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("onnxruntime engine");
    }

    @Test
    void theExportCheckRefusesAGraphOfAnotherNetwork() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            ResNet a = new ResNet(ResNetConfig.of("resnet20")).initialize(m);
            ResNet b = new ResNet(ResNetConfig.of("resnet20")).initialize(m);
            byte[] fromA = OnnxExporter.export(a, null, null, OnnxExporter.Options.defaults(), "test");
            assertThat(ExportCheck.run(a, fromA, 2, 1).relative()).isLessThan(ExportCheck.TOLERANCE);
            assertThatThrownBy(() -> ExportCheck.run(b, fromA, 2, 1))
                    .isInstanceOf(ExportCheck.ExportMismatchException.class)
                    .hasMessageContaining("does not reproduce the network");
        }
    }
}
