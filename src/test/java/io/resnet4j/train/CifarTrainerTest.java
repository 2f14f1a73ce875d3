package io.resnet4j.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.resnet4j.data.Cifar10;
import io.resnet4j.data.CifarData;
import io.resnet4j.data.Split;
import io.resnet4j.io.Checkpoint;
import io.resnet4j.model.BlockType;
import io.resnet4j.model.ResNetConfig;
import io.resnet4j.model.ResNetSpec;
import io.resnet4j.model.Shortcut;
import io.resnet4j.model.Stem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The training loop: exact resume, metrics and checkpoints, and a loss that falls on real data. */
class CifarTrainerTest {

    static final ResNetSpec TINY = new ResNetSpec("tiny", Stem.CIFAR, 8, BlockType.BASIC, List.of(1, 1, 1),
            List.of(8, 16, 32), true, false, Shortcut.A, 32, 10, "test net");

    static CifarData randomData(int n, long seed) {
        Random r = new Random(seed);
        byte[] pixels = new byte[n * 3072];
        byte[] labels = new byte[n];
        r.nextBytes(pixels);
        for (int i = 0; i < n; i++) {
            labels[i] = (byte) r.nextInt(10);
            // Make the label visible in the image so the net has something to learn.
            for (int k = 0; k < 1024; k++) {
                pixels[i * 3072 + (labels[i] % 3) * 1024 + k] = (byte) (labels[i] * 25);
            }
        }
        return new CifarData(pixels, labels, Cifar10.DEFAULT_CLASS_NAMES, "random", Split.TRAIN45K);
    }

    static TrainConfig tinyConfig(long iterations) {
        TrainConfig c = TrainConfig.epochs(ResNetConfig.of(TINY), 1, 8).withBatchSize(32);
        return new TrainConfig(c.model(), 32, 0.9f, 1e-4f, iterations,
                c.schedule().withMilestones(LearningRateSchedule.proportionalMilestones(iterations)), 7, 1000, 5, 8, 2, true);
    }

    @Test
    void resumedRunEndsWithTheSameWeightsAsAnUninterruptedOne(@TempDir Path tmp) throws Exception {
        CifarData train = randomData(256, 1);
        CifarData val = randomData(64, 2);
        TrainConfig config = tinyConfig(20);
        List<Float> lrsA = new ArrayList<>();
        List<Float> lossesA = new ArrayList<>();
        Path a = tmp.resolve("a");
        CifarTrainer.Outcome full = new CifarTrainer(config, train, val, a, Device.cpu())
                .addListener(recorder(lrsA, lossesA)).run(false);
        assertThat(full.completed()).isTrue();
        assertThat(full.iteration()).isEqualTo(20);

        Path b = tmp.resolve("b");
        List<Float> lrsB = new ArrayList<>();
        List<Float> lossesB = new ArrayList<>();
        CifarTrainer.Outcome first = new CifarTrainer(config, train, val, b, Device.cpu()).stopAt(7)
                .addListener(recorder(lrsB, lossesB)).run(false);
        assertThat(first.completed()).isFalse();
        assertThat(first.iteration()).isEqualTo(7);
        CifarTrainer.Outcome second = new CifarTrainer(config, train, val, b, Device.cpu()).stopAt(13)
                .addListener(recorder(lrsB, lossesB)).run(true);
        assertThat(second.iteration()).isEqualTo(13);
        CifarTrainer.Outcome last = new CifarTrainer(config, train, val, b, Device.cpu())
                .addListener(recorder(lrsB, lossesB)).run(true);
        assertThat(last.completed()).isTrue();

        // Same learning rates (the milestones at 10 and 15 fall in different sessions) and same data order:
        // the per-step losses are those of the uninterrupted run.
        assertThat(lrsB).containsExactlyElementsOf(lrsA);
        assertThat(lossesB).hasSize(20);
        for (int i = 0; i < 20; i++) {
            assertThat(lossesB.get(i)).as("loss at step " + (i + 1)).isCloseTo(lossesA.get(i), org.assertj.core.data.Offset.offset(1e-5f));
        }
        try (NDManager m = NDManager.newBaseManager()) {
            var wa = Checkpoint.load(a.resolve("model.safetensors"), m).net().stateDict();
            var wb = Checkpoint.load(b.resolve("model.safetensors"), m).net().stateDict();
            for (String k : wa.keySet()) {
                float diff = wa.get(k).getArray().sub(wb.get(k).getArray()).abs().max().getFloat();
                assertThat(diff).as(k).isLessThanOrEqualTo(1e-5f);
            }
        }
    }

    @Test
    void runFolderHoldsMetricsCheckpointsAndProvenance(@TempDir Path tmp) throws Exception {
        CifarData train = randomData(256, 3);
        CifarData val = randomData(64, 4);
        TrainConfig config = tinyConfig(16);
        Path run = tmp.resolve("run");
        CifarTrainer trainer = new CifarTrainer(config, train, val, run, Device.cpu());
        trainer.addListener(new RunJson(run, config, "random", train, val))
                .addListener(new MetricsCsv(run.resolve("metrics.csv")))
                .addListener(new CurvesListener(run.resolve("metrics.csv"), run.resolve("curves.png"), "tiny"));
        trainer.stopAt(10).run(false);
        List<String> rows = Files.readAllLines(run.resolve("metrics.csv"));
        assertThat(rows.get(0)).isEqualTo(MetricsCsv.HEADER);
        // Rows every 5 steps, validation every 8 (one epoch), and the stop row.
        assertThat(rows.subList(1, rows.size())).extracting(r -> r.split(",")[0]).containsExactly("5", "8", "10");
        assertThat(rows.get(2).split(",")[5]).isNotEmpty();
        assertThat(RunJson.read(run).get("status").asText()).isEqualTo("interrupted");

        CifarTrainer again = new CifarTrainer(config, train, val, run, Device.cpu());
        again.addListener(new RunJson(run, config, "random", train, val).mergePrevious(RunJson.read(run)))
                .addListener(new MetricsCsv(run.resolve("metrics.csv")));
        again.run(true);
        rows = Files.readAllLines(run.resolve("metrics.csv"));
        assertThat(rows.subList(1, rows.size())).extracting(r -> r.split(",")[0])
                .containsExactly("5", "8", "10", "15", "16");
        var json = RunJson.read(run);
        assertThat(json.get("status").asText()).isEqualTo("completed");
        assertThat(json.get("resumed_at").get(0).asLong()).isEqualTo(10);
        assertThat(json.get("config").get("iterations").asLong()).isEqualTo(16);
        assertThat(json.get("environment").get("djl_version").asText()).isEqualTo("0.35.0");
        assertThat(json.get("dataset").get("train_images").asInt()).isEqualTo(256);
        assertThat(TrainConfig.fromJson(json.get("config"))).isEqualTo(config);
        assertThat(run.resolve("curves.png")).exists();
        assertThat(run.resolve("model.safetensors")).exists();
        Checkpoint.Info info = Checkpoint.readInfo(run.resolve("model.safetensors"));
        assertThat(info.classNames()).hasSize(10);
        assertThat(info.preprocessing().meanImage()).hasSize(3072);
        assertThat(info.provenance().get("iteration").asLong()).isEqualTo(16);
    }

    @Test
    void lossFallsOnRealCifar(@TempDir Path tmp) throws Exception {
        Path data = Path.of("..", "shared", "datasets", "cifar-10-batches-bin");
        Assumptions.assumeTrue(Files.isRegularFile(data.resolve("data_batch_5.bin")), "../shared datasets absent");
        CifarData train = Cifar10.load(data, Split.VAL5K); // 5,000 real images are plenty for 60 steps
        TrainConfig c = TrainConfig.epochs(ResNetConfig.of("resnet20"), 1, 39);
        c = new TrainConfig(c.model(), 128, 0.9f, 1e-4f, 60, c.schedule().withMilestones(List.of(1000L)), 1, 1000, 10,
                1000, 2, true);
        List<Float> lrs = new ArrayList<>();
        List<Float> losses = new ArrayList<>();
        new CifarTrainer(c, train, null, tmp, Device.cpu()).addListener(recorder(lrs, losses)).run(false);
        double first = losses.subList(0, 10).stream().mapToDouble(Float::doubleValue).average().orElseThrow();
        double lastTen = losses.subList(50, 60).stream().mapToDouble(Float::doubleValue).average().orElseThrow();
        assertThat(first).isGreaterThan(2.1); // about ln(10) at the start
        assertThat(lastTen).isLessThan(first - 0.25);
    }

    private static TrainingListener recorder(List<Float> lrs, List<Float> losses) {
        return new TrainingListener() {
            @Override
            public void onStep(long iteration, int epoch, float learningRate, TrainStep.Result result) {
                lrs.add(learningRate);
                losses.add(result.loss());
            }
        };
    }
}
