package io.resnet4j.detection.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import com.fasterxml.jackson.databind.JsonNode;
import io.resnet4j.detection.Detection;
import io.resnet4j.detection.Detectors;
import io.resnet4j.detection.ObjectDetector;
import io.resnet4j.detection.data.DetectionSample;
import io.resnet4j.detection.data.VocDataset;
import io.resnet4j.detection.model.DetectorCheckpoint;
import io.resnet4j.detection.model.FasterRcnnConfig;
import io.resnet4j.image.ImageLoader;
import io.resnet4j.train.RunJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The detector's training loop on a few 64-pixel shape images: exact resume, the run folder's files,
 * and a model that eval and detection open through the provider.
 */
class DetectorTrainerTest {

    @TempDir
    static Path tmp;
    static VocDataset train;
    static VocDataset val;

    @BeforeAll
    static void shapes() throws Exception {
        Path root = tmp.resolve("shapes");
        DetectionSample.write(root, new DetectionSample.Spec(64, 6, 3, 3, true, 5));
        train = VocDataset.read(root, "train");
        val = VocDataset.read(root, "val");
    }

    /** The demo's recipe at 64 pixels, 2 images a step, fewer samples: a step takes a fraction of a second. */
    static DetectionTrainConfig tiny(long iterations) {
        DetectionTrainConfig demo = DetectionTrainConfig.demo(train.numClasses());
        FasterRcnnConfig m = demo.model();
        FasterRcnnConfig small = m.withTransform(m.transform().withSizes(64, 64))
                .withRpn(new FasterRcnnConfig.Rpn(500, 200, 50, 10, 0.7f, 0.7f, 0.3f, 64, 0.5f))
                .withBox(new FasterRcnnConfig.Box(4, 2, 0.05f, 0.5f, 20, 0.5f, 0.5f, 16, 0.25f));
        return demo.withModel(small).withBatchSize(2).withIterations(iterations).withMilestones(List.of(3L))
                .withCadence(1000, 2, 0).withSeed(3);
    }

    DetectorTrainer trainer(DetectionTrainConfig config) {
        return new DetectorTrainer(config, new DetectionTrainingSet(train, ImageLoader.DEFAULT_MAX_PIXELS), val,
                ImageLoader.DEFAULT_MAX_PIXELS, Device.cpu());
    }

    static DetectionTrainingListener recorder(List<Float> rates, List<Float> losses) {
        return new DetectionTrainingListener() {
            @Override
            public void onStep(long iteration, float learningRate, DetectorTrainStep.Losses l) {
                rates.add(learningRate);
                losses.add(l.total());
            }
        };
    }

    @Test
    void resumedRunEndsWithTheSameWeightsAsAnUninterruptedOne() throws Exception {
        DetectionTrainConfig config = tiny(4);
        List<Float> ratesA = new ArrayList<>();
        List<Float> lossesA = new ArrayList<>();
        Path a = tmp.resolve("a");
        DetectorTrainer.Outcome full = trainer(config).runFolder(a).addListener(recorder(ratesA, lossesA)).run(false);
        assertThat(full.completed()).isTrue();
        assertThat(full.lastMap50()).isBetween(0.0, 1.0);

        Path b = tmp.resolve("b");
        List<Float> ratesB = new ArrayList<>();
        List<Float> lossesB = new ArrayList<>();
        DetectorTrainer.Outcome first = trainer(config).runFolder(b).stopAt(2).addListener(recorder(ratesB, lossesB))
                .run(false);
        assertThat(first.completed()).isFalse();
        assertThat(first.iteration()).isEqualTo(2);
        DetectorTrainer.Outcome second = trainer(config).runFolder(b).addListener(recorder(ratesB, lossesB)).run(true);
        assertThat(second.completed()).isTrue();

        // The drop after step 3 falls after the stop; the images, flips and samples of each step are the same.
        assertThat(ratesA).containsExactly(0.02f, 0.02f, 0.02f, 0.002f);
        assertThat(ratesB).containsExactlyElementsOf(ratesA);
        for (int i = 0; i < 4; i++) {
            assertThat(lossesB.get(i)).as("loss at step " + (i + 1)).isCloseTo(lossesA.get(i), Offset.offset(1e-5f));
        }
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, Parameter> wa = DetectorCheckpoint.load(a.resolve("model.safetensors"), m).net().stateDict();
            Map<String, Parameter> wb = DetectorCheckpoint.load(b.resolve("model.safetensors"), m).net().stateDict();
            assertThat(wb.keySet()).containsExactlyElementsOf(wa.keySet());
            for (String k : wa.keySet()) {
                float diff = wa.get(k).getArray().sub(wb.get(k).getArray()).abs().max().getFloat();
                assertThat(diff).as(k).isLessThanOrEqualTo(1e-5f);
            }
        }
    }

    @Test
    void runFolderHoldsMetricsCurvesProvenanceAndAModelEvalCanOpen() throws Exception {
        DetectionTrainConfig config = tiny(4).withCadence(2, 2, 2);
        Path run = tmp.resolve("run");
        DetectorTrainer trainer = trainer(config).runFolder(run);
        Files.createDirectories(run);
        trainer.addListener(new DetectionRunJson(run, config, "shapes", "train", train, "val", val))
                .addListener(new DetectionMetricsCsv(run.resolve("metrics.csv")))
                .addListener(new DetectionCurves(run.resolve("metrics.csv"), run.resolve("curves.png"), "tiny"));
        trainer.stopAt(2).run(false);
        assertThat(RunJson.read(run).get("status").asText()).isEqualTo("interrupted");
        DetectorTrainer again = trainer(config).runFolder(run);
        again.addListener(new DetectionRunJson(run, config, "shapes", "train", train, "val", val)
                .mergePrevious(RunJson.read(run))).addListener(new DetectionMetricsCsv(run.resolve("metrics.csv")));
        again.run(true);

        List<String> rows = Files.readAllLines(run.resolve("metrics.csv"));
        assertThat(rows.get(0)).isEqualTo(DetectionMetricsCsv.HEADER);
        // The untrained detector's score at step 0, then a row (with its evaluation) every 2 steps.
        assertThat(rows.subList(1, rows.size())).extracting(r -> r.split(",", -1)[0]).containsExactly("0", "2", "4");
        for (String row : rows.subList(1, rows.size())) {
            assertThat(Double.parseDouble(row.split(",", -1)[8])).isBetween(0.0, 1.0);
        }
        assertThat(rows.get(1).split(",", -1)[3]).isEmpty(); // no loss before the first step
        assertThat(Double.parseDouble(rows.get(2).split(",", -1)[3])).isPositive();

        JsonNode json = RunJson.read(run);
        assertThat(json.get("status").asText()).isEqualTo("completed");
        assertThat(json.get("model").asText()).isEqualTo("fasterrcnn_resnet18_c4");
        assertThat(json.get("resumed_at").get(0).asLong()).isEqualTo(2);
        assertThat(json.get("dataset").get("train_images").asInt()).isEqualTo(6);
        assertThat(json.get("final").get("val_map50").isNumber()).isTrue();
        assertThat(DetectionTrainConfig.fromJson(json.get("config"))).isEqualTo(config);
        assertThat(run.resolve("curves.png")).isRegularFile();
        assertThat(run).isDirectoryNotContaining("glob:**.tmp");

        Path model = run.resolve("model.safetensors");
        assertThat(DetectorCheckpoint.readInfo(model).classNames()).isEqualTo(train.classNames());
        try (ObjectDetector d = Detectors.open(model.toString(), Device.cpu())) {
            assertThat(d.classNames()).isEqualTo(train.classNames());
            List<Detection> found = d.detect(ImageIO.read(val.images().get(0).file().toFile()));
            assertThat(found.size()).isLessThanOrEqualTo(20);
            assertThat(found).isSortedAccordingTo((x, y) -> Float.compare(y.score(), x.score()));
        }
    }

    @Test
    void refusesAModelWhoseClassesAreNotTheData() {
        DetectionTrainConfig config = tiny(2);
        DetectionTrainConfig wrong = config.withModel(new FasterRcnnConfig(config.model().architecture(),
                config.model().backbone(), config.model().stridePlacement(), 3, config.model().transform(),
                config.model().anchors(), config.model().rpn(), config.model().box(), config.model().headStride()));
        assertThatThrownBy(() -> trainer(wrong)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the data has " + (train.numClasses() - 1) + " classes and the background, but the"
                        + " detector 3 outputs; configure it with " + train.numClasses() + " classes");
    }
}
