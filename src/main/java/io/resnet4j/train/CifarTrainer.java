package io.resnet4j.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.resnet4j.data.Batch;
import io.resnet4j.data.Batcher;
import io.resnet4j.data.CifarData;
import io.resnet4j.data.Normalization;
import io.resnet4j.data.PixelMean;
import io.resnet4j.eval.Evaluator;
import io.resnet4j.io.Checkpoint;
import io.resnet4j.io.Preprocessing;
import io.resnet4j.io.SafeTensors;
import io.resnet4j.io.StateDicts;
import io.resnet4j.model.ResNet;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The CIFAR training loop of section 4.2: deterministic batches from {@link Batcher}, the
 * {@link TrainStep}, the paper's learning-rate schedule with its warm-up, validation passes,
 * and checkpoints that make a run resumable exactly (weights, BN statistics, momentum buffers,
 * iteration, warm-up state; the data order follows from seed, epoch and position).
 *
 * <p>Native memory: each batch lives in its own NDManager, closed after the step.
 */
public final class CifarTrainer {

    /** How a run ended. */
    public record Outcome(long iteration, boolean completed, double lastTrainError, double lastValError,
            Path lastCheckpoint, double seconds, double imagesPerSecond) {}

    static final String STATE_SUFFIX = ".state.safetensors";
    private static final int WARMUP_WINDOW = 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final TrainConfig config;
    private final CifarData train;
    private final CifarData val;
    private final Path runDir;
    private final Device device;
    private final List<TrainingListener> listeners = new ArrayList<>();
    private final ObjectMapper mapper = new ObjectMapper();
    private volatile boolean stopRequested;
    private long stopAtIteration = Long.MAX_VALUE;

    /**
     * @param val validation data, or null to skip validation passes
     */
    public CifarTrainer(TrainConfig config, CifarData train, CifarData val, Path runDir, Device device) {
        this.config = config;
        this.train = train;
        this.val = val;
        this.runDir = runDir;
        this.device = device;
        if (train.numClasses() > config.model().classes()) {
            throw new IllegalArgumentException("the data has " + train.numClasses() + " classes but the model only "
                    + config.model().classes() + "; pass --classes " + train.numClasses());
        }
    }

    public CifarTrainer addListener(TrainingListener l) {
        listeners.add(l);
        return this;
    }

    /** Asks the loop to write a checkpoint and stop after the current step (safe from a signal handler). */
    public void requestStop() {
        stopRequested = true;
    }

    /** Stops (with a checkpoint, as if interrupted) once this iteration is reached; for tests and time boxes. */
    public CifarTrainer stopAt(long iteration) {
        this.stopAtIteration = iteration;
        return this;
    }

    public int batchesPerEpoch() {
        return Batcher.batchesPerEpoch(train.size(), config.batchSize(), true);
    }

    public Path checkpointDir() {
        return runDir.resolve("checkpoints");
    }

    /**
     * Trains from scratch, or from the newest checkpoint in the run folder when {@code resume}.
     */
    public Outcome run(boolean resume) throws IOException {
        int perEpoch = batchesPerEpoch();
        if (perEpoch < 1) {
            throw new IllegalArgumentException("the training split has " + train.size() + " images, fewer than one batch of "
                    + config.batchSize() + "; lower --batch-size");
        }
        Files.createDirectories(checkpointDir());
        Engine.getInstance().setRandomSeed((int) config.seed());
        long startNanos = System.nanoTime();
        try (NDManager manager = NDManager.newBaseManager(device);
                Sgd sgd = new Sgd(manager, config.momentum(), config.weightDecay())) {
            ResNet net = new ResNet(config.model()).initialize(manager);
            float[] meanImage;
            long iteration = 0;
            boolean warmedUp = !config.schedule().hasWarmup();
            Deque<Double> recentErrors = new ArrayDeque<>();
            Optional<Path> latest = resume ? latestState(checkpointDir()) : Optional.empty();
            if (resume && latest.isEmpty()) {
                throw new IOException("nothing to resume in " + runDir + ": no checkpoint in " + checkpointDir());
            }
            if (latest.isPresent()) {
                Path statePath = latest.get();
                Path weightsPath = weightsFor(statePath);
                meanImage = Checkpoint.loadInto(weightsPath, net).preprocessing().meanImage();
                try (NDManager scratch = manager.newSubManager()) {
                    SafeTensors.Contents state = SafeTensors.read(statePath, scratch);
                    Map<String, NDArray> momentum = new LinkedHashMap<>();
                    state.tensors().forEach((k, v) -> momentum.put(k.substring("momentum.".length()), v));
                    sgd.loadState(momentum);
                    iteration = Long.parseLong(state.metadata().get("iteration"));
                    warmedUp = Boolean.parseBoolean(state.metadata().get("warmed_up"));
                    for (var n : JSON.readTree(state.metadata().get("recent_errors"))) {
                        recentErrors.add(n.asDouble());
                    }
                }
            } else {
                meanImage = PixelMean.compute(train);
            }
            Normalization norm = Normalization.paper(meanImage);
            Preprocessing preprocessing = Preprocessing.perPixelMean(meanImage, norm.std(), config.model().inputSize());
            TrainStep step = new TrainStep(net, sgd, manager);
            final long startIteration = iteration;
            listeners.forEach(l -> l.onStart(config, startIteration, perEpoch));

            int endEpoch = (int) ((config.iterations() + perEpoch - 1) / perEpoch);
            int startEpoch = (int) (iteration / perEpoch);
            int startBatch = (int) (iteration % perEpoch);
            double sumLoss = 0;
            long sumErrors = 0;
            long sumImages = 0;
            long windowStart = System.nanoTime();
            long trainedImages = 0;
            double lastTrainError = Double.NaN;
            double lastValError = Double.NaN;
            Path lastCheckpoint = null;
            boolean completed = iteration >= config.iterations();
            try (Batcher batcher = Batcher.builder(train, norm).batchSize(config.batchSize()).seed(config.seed())
                    .shuffle(true).augment(config.augment()).dropLast(true).startAt(startEpoch, startBatch)
                    .endEpoch(endEpoch).workers(config.workers()).build()) {
                while (!completed && batcher.hasNext()) {
                    Batch batch = batcher.next();
                    float lr = config.schedule().rate(iteration, warmedUp);
                    TrainStep.Result r;
                    try (NDManager batchManager = manager.newSubManager()) {
                        int n = batch.size();
                        NDArray x = batchManager.create(FloatBuffer.wrap(batch.images(), 0, n * 3 * 32 * 32),
                                new Shape(n, 3, 32, 32));
                        long[] labels = new long[n];
                        for (int i = 0; i < n; i++) {
                            labels[i] = batch.labels()[i];
                        }
                        NDArray y = batchManager.create(labels);
                        r = step.run(x, y, lr);
                    }
                    iteration++;
                    if (!Float.isFinite(r.loss())) {
                        throw new IllegalStateException("training diverged at iteration " + iteration + " (loss "
                                + r.loss() + "); lower the learning rate or check the data");
                    }
                    double batchError = (double) r.errors() / r.batchSize();
                    if (!warmedUp) {
                        recentErrors.addLast(batchError);
                        if (recentErrors.size() > WARMUP_WINDOW) {
                            recentErrors.removeFirst();
                        }
                        double mean = recentErrors.stream().mapToDouble(Double::doubleValue).average().orElse(1);
                        if (recentErrors.size() == WARMUP_WINDOW && mean < config.schedule().warmupUntilErrorBelow()) {
                            warmedUp = true;
                        }
                    }
                    sumLoss += r.loss() * r.batchSize();
                    sumErrors += r.errors();
                    sumImages += r.batchSize();
                    trainedImages += r.batchSize();
                    final long it = iteration;
                    final int epoch = batch.epoch();
                    listeners.forEach(l -> l.onStep(it, epoch, lr, r));
                    completed = iteration >= config.iterations();
                    boolean evalNow = val != null && (iteration % config.evalEvery() == 0 || completed);
                    boolean stopNow = stopRequested || iteration >= stopAtIteration;
                    if (iteration % config.logEvery() == 0 || evalNow || completed || stopNow) {
                        // Throughput of training alone: the window closes before the validation pass.
                        double seconds = (System.nanoTime() - windowStart) / 1e9;
                        lastTrainError = (double) sumErrors / sumImages;
                        double valError = Double.NaN;
                        if (evalNow) {
                            valError = Evaluator.evaluate(net, val, norm, 500, manager).top1Error();
                            lastValError = valError;
                        }
                        TrainingListener.Metrics m = new TrainingListener.Metrics(iteration, epoch + 1, lr,
                                sumLoss / sumImages, lastTrainError, valError, sumImages / Math.max(seconds, 1e-9));
                        listeners.forEach(l -> l.onMetrics(m));
                        sumLoss = 0;
                        sumErrors = 0;
                        sumImages = 0;
                        windowStart = System.nanoTime();
                    }
                    if (iteration % config.checkpointEvery() == 0 || completed || stopNow) {
                        lastCheckpoint = saveCheckpoint(net, sgd, preprocessing, iteration, warmedUp, recentErrors);
                    }
                    if (stopNow && !completed) {
                        break;
                    }
                }
            }
            double seconds = (System.nanoTime() - startNanos) / 1e9;
            if (completed) {
                Path last = checkpointPath(iteration);
                if (lastCheckpoint == null && Files.exists(last)) {
                    lastCheckpoint = last;
                }
                if (lastCheckpoint != null) {
                    Files.copy(lastCheckpoint, runDir.resolve("model.safetensors"),
                            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
            Outcome outcome = new Outcome(iteration, completed, lastTrainError, lastValError, lastCheckpoint, seconds,
                    trainedImages / Math.max(seconds, 1e-9));
            listeners.forEach(l -> l.onEnd(outcome));
            return outcome;
        }
    }

    Path checkpointPath(long iteration) {
        return checkpointDir().resolve(String.format(Locale.ROOT, "iter-%07d.safetensors", iteration));
    }

    private Path saveCheckpoint(ResNet net, Sgd sgd, Preprocessing preprocessing, long iteration, boolean warmedUp,
            Deque<Double> recentErrors) throws IOException {
        Path weights = checkpointPath(iteration);
        var provenance = mapper.createObjectNode();
        provenance.put("resnet4j_version", io.resnet4j.cli.VersionProvider.version());
        provenance.put("run", runDir.toAbsolutePath().toString());
        provenance.put("iteration", iteration);
        provenance.put("seed", config.seed());
        Checkpoint.save(weights, net, train.classNames(), preprocessing, provenance);
        Map<String, NDArray> momentum = new LinkedHashMap<>();
        sgd.state().forEach((k, v) -> momentum.put("momentum." + k, v));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("iteration", String.valueOf(iteration));
        meta.put("warmed_up", String.valueOf(warmedUp));
        meta.put("recent_errors", JSON.valueToTree(new ArrayList<>(recentErrors)).toString());
        meta.put("seed", String.valueOf(config.seed()));
        // Written after the weights: a state file present means its weights are complete.
        Checkpoint.saveTensors(statePath(weights), momentum, meta);
        final Path w = weights;
        listeners.forEach(l -> l.onCheckpoint(w, iteration));
        return weights;
    }

    static Path statePath(Path weights) {
        String name = weights.getFileName().toString();
        return weights.resolveSibling(name.substring(0, name.length() - ".safetensors".length()) + STATE_SUFFIX);
    }

    static Path weightsFor(Path state) {
        String name = state.getFileName().toString();
        return state.resolveSibling(name.substring(0, name.length() - STATE_SUFFIX.length()) + ".safetensors");
    }

    /** The newest complete checkpoint (weights and optimizer state) in a folder. */
    public static Optional<Path> latestState(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(STATE_SUFFIX))
                    .filter(p -> Files.exists(weightsFor(p)))
                    .max(java.util.Comparator.comparing(p -> p.getFileName().toString()));
        }
    }

}
