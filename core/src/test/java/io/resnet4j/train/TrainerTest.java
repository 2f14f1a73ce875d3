package io.resnet4j.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.resnet4j.data.Cifar10;
import io.resnet4j.data.CifarData;
import io.resnet4j.data.Split;
import io.resnet4j.io.Checkpoint;
import io.resnet4j.model.BlockType;
import io.resnet4j.model.ResNet;
import io.resnet4j.model.ResNetConfig;
import io.resnet4j.model.ResNetSpec;
import io.resnet4j.model.Shortcut;
import io.resnet4j.model.Stem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The training loop: exact resume, run-folder files or none at all, a caller's network, a loss that falls. */
class TrainerTest {

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

    /** The CIFAR recipe on the tiny net: batch 32, drops at 50% and 75% of the budget, validation every 8 steps. */
    static TrainConfig tinyConfig(long iterations) {
        return TrainConfig.builder(Recipe.cifar()).model(ResNetConfig.of(TINY)).batchSize(32).iterations(iterations)
                .seed(7).checkpointEvery(1000).logEvery(5).evalEvery(8).build();
    }

    @Test
    void resumedRunEndsWithTheSameWeightsAsAnUninterruptedOne(@TempDir Path tmp) throws Exception {
        CifarData train = randomData(256, 1);
        CifarData val = randomData(64, 2);
        TrainConfig config = tinyConfig(20);
        List<Float> lrsA = new ArrayList<>();
        List<Float> lossesA = new ArrayList<>();
        Path a = tmp.resolve("a");
        Trainer.Outcome full = new Trainer(config, train, val, Device.cpu()).runFolder(a)
                .addListener(recorder(lrsA, lossesA)).run(false);
        assertThat(full.completed()).isTrue();
        assertThat(full.iteration()).isEqualTo(20);

        Path b = tmp.resolve("b");
        List<Float> lrsB = new ArrayList<>();
        List<Float> lossesB = new ArrayList<>();
        Trainer.Outcome first = new Trainer(config, train, val, Device.cpu()).runFolder(b).stopAt(7)
                .addListener(recorder(lrsB, lossesB)).run(false);
        assertThat(first.completed()).isFalse();
        assertThat(first.iteration()).isEqualTo(7);
        Trainer.Outcome second = new Trainer(config, train, val, Device.cpu()).runFolder(b).stopAt(13)
                .addListener(recorder(lrsB, lossesB)).run(true);
        assertThat(second.iteration()).isEqualTo(13);
        Trainer.Outcome last = new Trainer(config, train, val, Device.cpu()).runFolder(b)
                .addListener(recorder(lrsB, lossesB)).run(true);
        assertThat(last.completed()).isTrue();

        // Same learning rates (the milestones at 10 and 15 fall in different sessions) and same data order:
        // the per-step losses are those of the uninterrupted run.
        assertThat(lrsA).contains(0.1f).anyMatch(lr -> Math.abs(lr - 0.01f) < 1e-6f);
        assertThat(lrsB).containsExactlyElementsOf(lrsA);
        assertThat(lossesB).hasSize(20);
        for (int i = 0; i < 20; i++) {
            assertThat(lossesB.get(i)).as("loss at step " + (i + 1)).isCloseTo(lossesA.get(i), Offset.offset(1e-5f));
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

    /**
     * Checkpoints by wall-clock time as well as by iterations, the newest K kept; what killed
     * writes left (a weights file without its state, a temporary file) is cleared away.
     */
    @Test
    void checkpointsComeByTimeTooAndOnlyTheNewestAreKept(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("run");
        Path checkpoints = Files.createDirectories(run.resolve("checkpoints"));
        Files.writeString(checkpoints.resolve("iter-0000001.safetensors"), "weights whose state was never written");
        Files.writeString(checkpoints.resolve(".iter-0000003.safetensors.123.tmp"), "a killed write");
        // A minute's millionth: every step is past due.
        TrainConfig config = tinyConfig(6).toBuilder().checkpointMinutes(1e-6).keepCheckpoints(2).build();
        List<Long> written = new ArrayList<>();
        new Trainer(config, randomData(96, 8), null, Device.cpu()).runFolder(run).addListener(new TrainingListener() {
            @Override
            public void onCheckpoint(Path weights, long iteration) {
                written.add(iteration);
            }
        }).run(false);
        assertThat(written).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
        try (Stream<Path> files = Files.list(checkpoints)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted()).containsExactly("iter-0000005.safetensors",
                    "iter-0000005.state.safetensors", "iter-0000006.safetensors", "iter-0000006.state.safetensors");
        }
        assertThat(run.resolve("model.safetensors")).hasSameBinaryContentAs(checkpoints.resolve("iter-0000006.safetensors"));
    }

    /** A folder whose run stopped before writing any checkpoint resumes from iteration 0, exactly. */
    @Test
    void resumingWithoutACheckpointStartsAgainFromTheBeginning(@TempDir Path tmp) throws Exception {
        CifarData train = randomData(128, 9);
        TrainConfig config = tinyConfig(5);
        Path a = tmp.resolve("a");
        new Trainer(config, train, null, Device.cpu()).runFolder(a).run(false);
        Path b = Files.createDirectories(tmp.resolve("b"));
        Trainer.Outcome o = new Trainer(config, train, null, Device.cpu()).runFolder(b).run(true);
        assertThat(o.startIteration()).isZero();
        assertThat(o.completed()).isTrue();
        assertThat(io.resnet4j.WeightsDiff.max(a.resolve("model.safetensors"), b.resolve("model.safetensors")))
                .isLessThanOrEqualTo(1e-5f);
    }

    /** Resuming a finished run takes no step and leaves the measured numbers in run.json as they were. */
    @Test
    void resumingAFinishedRunKeepsItsRecord(@TempDir Path tmp) throws Exception {
        CifarData train = randomData(128, 10);
        CifarData val = randomData(64, 11);
        TrainConfig config = tinyConfig(4);
        Path run = tmp.resolve("run");
        new Trainer(config, train, val, Device.cpu()).runFolder(run)
                .addListener(new RunJson(run, config, "/data", train, val)).run(false);
        var finished = RunJson.read(run);
        byte[] weights = Files.readAllBytes(run.resolve("model.safetensors"));
        Trainer.Outcome again = new Trainer(config, train, val, Device.cpu()).runFolder(run)
                .addListener(new RunJson(run, config, "/data", train, val).mergePrevious(finished)).run(true);
        assertThat(again.trained()).isFalse();
        assertThat(again.completed()).isTrue();
        var json = RunJson.read(run);
        assertThat(json.get("final").get("train_error")).isEqualTo(finished.get("final").get("train_error"));
        assertThat(json.get("final").get("val_error").asDouble()).isBetween(0.0, 1.0);
        assertThat(json.get("timings").get("images_per_s")).isEqualTo(finished.get("timings").get("images_per_s"));
        assertThat(Files.readAllBytes(run.resolve("model.safetensors"))).isEqualTo(weights);
    }

    @Test
    void runFolderHoldsMetricsCheckpointsAndProvenance(@TempDir Path tmp) throws Exception {
        CifarData train = randomData(256, 3);
        CifarData val = randomData(64, 4);
        TrainConfig config = tinyConfig(16);
        Path run = tmp.resolve("run");
        Trainer trainer = new Trainer(config, train, val, Device.cpu()).runFolder(run);
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

        Trainer again = new Trainer(config, train, val, Device.cpu()).runFolder(run);
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
        assertThat(json.get("config").get("recipe").get("name").asText()).isEqualTo("cifar");
        assertThat(json.get("environment").get("djl_version").asText()).isEqualTo("0.35.0");
        assertThat(json.get("dataset").get("train_images").asInt()).isEqualTo(256);
        assertThat(TrainConfig.fromJson(json.get("config"))).isEqualTo(config);
        assertThat(run.resolve("curves.png")).exists();
        assertThat(run.resolve("model.safetensors")).exists();
        assertThat(run).isDirectoryNotContaining("glob:**.tmp");
        Checkpoint.Info info = Checkpoint.readInfo(run.resolve("model.safetensors"));
        assertThat(info.classNames()).hasSize(10);
        assertThat(info.preprocessing().meanImage()).hasSize(3072);
        assertThat(info.provenance().get("iteration").asLong()).isEqualTo(16);
    }

    @Test
    void withoutARunFolderTheCallersNetworkTrainsInPlaceAndNoFileIsWritten() throws Exception {
        CifarData train = randomData(128, 5);
        List<Path> before = listing(Path.of(""));
        try (NDManager manager = NDManager.newBaseManager()) {
            ResNet net = new ResNet(ResNetConfig.of(TINY)).initialize(manager);
            byte[] conv1 = net.stateDict().get("conv1.weight").getArray().toByteArray();
            Trainer trainer = new Trainer(tinyConfig(4), train, null, Device.cpu()).stopAt(3);
            ResNet trained = trainer.train(net);
            assertThat(trained).isSameAs(net);
            assertThat(net.stateDict().get("conv1.weight").getArray().toByteArray()).isNotEqualTo(conv1);
            assertThat(trainer.outcome().iteration()).isEqualTo(3);
            assertThat(trainer.outcome().lastCheckpoint()).isNull();
            assertThat(trainer.preprocessing().meanImage()).hasSize(3072);
            // Only the network's own arrays remain: the momentum buffers and batches were closed.
            assertThat(manager.getManagedArrays()).hasSize(net.stateDict().size());
        }
        assertThat(listing(Path.of(""))).isEqualTo(before);
    }

    private static List<Path> listing(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    /**
     * Fine-tuning from code the way a user writes it: a trained network (here briefly trained on
     * seven of the sample's shape classes), a configuration with a new head for the other three,
     * train. The fit on 96 images of those three shows that the loss falls.
     */
    @Test
    void fineTuningFromCodeTakesAFewLines() throws Exception {
        CifarData sample = io.resnet4j.data.CifarSample.load(Split.TRAIN);
        CifarData sevenShapes = classes(sample, 3, 10);
        CifarData threeShapes = first(classes(sample, 0, 3), 96);
        List<Float> losses = new ArrayList<>();
        try (NDManager manager = NDManager.newBaseManager()) {
            TrainConfig scratch = TrainConfig.builder(Recipe.cifar()).model(ResNetConfig.of(TINY).withClasses(7))
                    .batchSize(32).iterations(20).build();
            ResNet net = new Trainer(scratch, sevenShapes, null, Device.cpu()).train(manager);
            Map<String, byte[]> source = snapshot(net);

            TrainConfig config = TrainConfig.builder(Recipe.fineTune()).model(net.config().withClasses(3))
                    .learningRate(0.1f).iterations(60).batchSize(32).frozenPrefix(ResNet.parseFrozenPrefix("conv2_x"))
                    .build();
            ResNet tuned = new Trainer(config, threeShapes, null, Device.cpu())
                    .addListener(recorder(new ArrayList<>(), losses)).train(net);

            assertThat(tuned.config().classes()).isEqualTo(3);
            assertThat(tuned.stateDict().get("fc.weight").getArray().getShape().get(0)).isEqualTo(3);
            assertThat(tuned.stateDict().get("fc.weight").getArray().getManager()).isSameAs(manager);
            assertThat(snapshot(net)).as("the trained network is left as it was").containsExactlyEntriesOf(source);
            snapshot(tuned).forEach((name, value) -> {
                if (tuned.isFrozen(name)) {
                    assertThat(value).as(name).isEqualTo(source.get(name)); // BN running statistics included
                } else if (name.endsWith("conv1.weight")) {
                    assertThat(value).as(name).isNotEqualTo(source.get(name));
                }
            });
            assertThat(tuned.isFrozen("layer1.0.bn2.running_mean")).isTrue();
            assertThat(tuned.isFrozen("layer2.0.conv1.weight")).isFalse();
        }
        double first = losses.subList(0, 5).stream().mapToDouble(Float::doubleValue).average().orElseThrow();
        double last = losses.subList(55, 60).stream().mapToDouble(Float::doubleValue).average().orElseThrow();
        assertThat(first).isGreaterThan(1.0); // about ln(3) for a fresh 3-way head
        assertThat(last).isLessThan(first - 0.15);
    }

    @Test
    void aNetworkOfAnotherArchitectureIsRefusedWithTheFix() throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            ResNet other = new ResNet(ResNetConfig.of("resnet20")).initialize(manager);
            Trainer trainer = new Trainer(tinyConfig(2), randomData(64, 6), null, Device.cpu());
            assertThatThrownBy(() -> trainer.train(other)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("the network is a resnet20").hasMessageContaining("net.config()");
        }
        assertThatThrownBy(() -> new Trainer(tinyConfig(2), randomData(16, 6), null, Device.cpu()))
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("fewer than one batch of 32");
    }

    /** The images of classes [from, to), relabelled from 0. */
    static CifarData classes(CifarData d, int from, int to) {
        int n = 0;
        byte[] pixels = new byte[d.pixels().length];
        byte[] labels = new byte[d.size()];
        for (int i = 0; i < d.size(); i++) {
            if (d.label(i) >= from && d.label(i) < to) {
                System.arraycopy(d.pixels(), i * 3072, pixels, n * 3072, 3072);
                labels[n++] = (byte) (d.label(i) - from);
            }
        }
        return new CifarData(java.util.Arrays.copyOf(pixels, n * 3072), java.util.Arrays.copyOf(labels, n),
                d.classNames().subList(from, to), d.source(), d.split());
    }

    static CifarData first(CifarData d, int n) {
        return new CifarData(java.util.Arrays.copyOf(d.pixels(), n * 3072), java.util.Arrays.copyOf(d.labels(), n),
                d.classNames(), d.source(), d.split());
    }

    private static Map<String, byte[]> snapshot(ResNet net) {
        Map<String, byte[]> m = new LinkedHashMap<>();
        net.stateDict().forEach((k, p) -> m.put(k, p.getArray().toByteArray()));
        return m;
    }

    @Tag("slow")
    @Test
    void lossFallsOnRealCifar() throws Exception {
        Path data = io.resnet4j.SharedData.path("datasets", "cifar-10-batches-bin");
        Assumptions.assumeTrue(Files.isRegularFile(data.resolve("data_batch_5.bin")), "../shared datasets absent");
        CifarData train = Cifar10.load(data, Split.VAL5K); // 5,000 real images are plenty for 60 steps
        TrainConfig c = TrainConfig.builder(Recipe.cifar()).model(ResNetConfig.of("resnet20")).iterations(60)
                .milestones(List.of(1000L)).seed(1).logEvery(10).build();
        List<Float> lrs = new ArrayList<>();
        List<Float> losses = new ArrayList<>();
        try (NDManager manager = NDManager.newBaseManager()) {
            new Trainer(c, train, null, Device.cpu()).addListener(recorder(lrs, losses)).train(manager);
        }
        double first = losses.subList(0, 10).stream().mapToDouble(Float::doubleValue).average().orElseThrow();
        double lastTen = losses.subList(50, 60).stream().mapToDouble(Float::doubleValue).average().orElseThrow();
        assertThat(first).isGreaterThan(2.1); // about ln(10) at the start
        assertThat(lastTen).isLessThan(first - 0.25);
    }

    static TrainingListener recorder(List<Float> lrs, List<Float> losses) {
        return new TrainingListener() {
            @Override
            public void onStep(long iteration, int epoch, float learningRate, TrainStep.Result result) {
                lrs.add(learningRate);
                losses.add(result.loss());
            }
        };
    }
}
