package io.resnet4j.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.resnet4j.data.Batch;
import io.resnet4j.data.BatchSource;
import io.resnet4j.data.Batcher;
import io.resnet4j.data.CifarData;
import io.resnet4j.io.Checkpoint;
import io.resnet4j.image.Preprocessing;
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
 * The training loop, for CIFAR (section 4.2) and image folders (section 3.4) alike: deterministic
 * batches from a {@link TrainingData}'s {@link io.resnet4j.data.BatchSource}, the
 * {@link TrainStep}, the paper's learning-rate schedule with its warm-up, validation passes,
 * and checkpoints that make a run resumable exactly (weights, BN statistics, momentum buffers,
 * iteration, warm-up state; the data order follows from seed, epoch and position).
 *
 * <p>Beyond the CIFAR recipe ({@link TrainConfig.Tuning}): gradient accumulation, the ImageNet
 * plateau rule (lr /10 when validation error stops improving), and fine-tuning from other weights
 * with a new classifier, a frozen prefix and a classifier learning rate of its own.
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
    private final TrainingData data;
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
        this(config, new CifarTrainingData(train, val), runDir, device);
    }

    /** Trains on any data set: CIFAR in memory or image folders. */
    public CifarTrainer(TrainConfig config, TrainingData data, Path runDir, Device device) {
        this.config = config;
        this.data = data;
        this.runDir = runDir;
        this.device = device;
        if (data.numClasses() > config.model().classes()) {
            throw new IllegalArgumentException("the data has " + data.numClasses() + " classes but the model only "
                    + config.model().classes() + "; pass --num-classes " + data.numClasses());
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
        return Batcher.batchesPerEpoch(data.size(), config.batchSize(), true);
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
            throw new IllegalArgumentException("the training split has " + data.size() + " images, fewer than one batch of "
                    + config.batchSize() + "; lower --batch-size");
        }
        Files.createDirectories(checkpointDir());
        Engine.getInstance().setRandomSeed((int) config.seed());
        long startNanos = System.nanoTime();
        try (NDManager manager = NDManager.newBaseManager(device);
                Sgd sgd = new Sgd(manager, config.momentum(), config.weightDecay())) {
            ResNet net = new ResNet(config.model()).initialize(manager);
            TrainConfig.Tuning tuning = config.tuning();
            Preprocessing resumedPre = null;
            double lrScale = 1;
            Plateau plateau = new Plateau(tuning.plateauPatience());
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
                resumedPre = Checkpoint.loadInto(weightsPath, net).preprocessing();
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
                    // Absent in checkpoints of runs without the plateau rule: they never changed the scale.
                    lrScale = Double.parseDouble(state.metadata().getOrDefault("lr_scale", "1"));
                    plateau.restore(state.metadata().get("plateau"));
                }
            } else if (tuning.init() != null) {
                FineTuning.initialise(net, tuning.init(), tuning.newHead(), manager);
            }
            net.setFrozenPrefix(tuning.frozenPrefix());
            Preprocessing preprocessing = data.preprocessing(resumedPre);
            TrainStep step = new TrainStep(net, sgd, manager).accumulate(tuning.accumulate());
            if (!Float.isNaN(tuning.headLearningRate())) {
                // The head follows the same schedule, from its own base rate.
                double headScale = tuning.headLearningRate() / config.schedule().baseRate();
                step.rateScale(name -> name.startsWith("fc.") ? headScale : 1.0);
            }
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
            try (BatchSource batcher = data.trainBatches(config, startEpoch, startBatch, endEpoch)) {
                while (!completed && batcher.hasNext()) {
                    Batch batch = batcher.next();
                    if (batch.size() == 0) {
                        continue; // every file of this batch was unreadable (reported by the loader)
                    }
                    float lr = (float) (config.schedule().rate(iteration, warmedUp) * lrScale);
                    TrainStep.Result r;
                    try (NDManager batchManager = manager.newSubManager()) {
                        int n = batch.size();
                        int side = batch.side();
                        NDArray x = batchManager.create(FloatBuffer.wrap(batch.images(), 0, n * 3 * side * side),
                                new Shape(n, 3, side, side));
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
                    boolean evalNow = data.valSize() > 0 && (iteration % config.evalEvery() == 0 || completed);
                    boolean stopNow = stopRequested || iteration >= stopAtIteration;
                    if (iteration % config.logEvery() == 0 || evalNow || completed || stopNow) {
                        // Throughput of training alone: the window closes before the validation pass.
                        double seconds = (System.nanoTime() - windowStart) / 1e9;
                        lastTrainError = (double) sumErrors / sumImages;
                        double valError = Double.NaN;
                        if (evalNow) {
                            valError = data.validationError(net, manager);
                            lastValError = valError;
                            if (plateau.observe(valError)) {
                                lrScale *= config.schedule().factor();
                            }
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
                        lastCheckpoint = saveCheckpoint(net, sgd, preprocessing, iteration, warmedUp, recentErrors,
                                lrScale, plateau);
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
            Deque<Double> recentErrors, double lrScale, Plateau plateau) throws IOException {
        Path weights = checkpointPath(iteration);
        var provenance = mapper.createObjectNode();
        provenance.put("resnet4j_version", io.resnet4j.Versions.resnet4j());
        provenance.put("run", runDir.toAbsolutePath().toString());
        provenance.put("iteration", iteration);
        provenance.put("seed", config.seed());
        Checkpoint.save(weights, net, data.classNames(), preprocessing, provenance);
        Map<String, NDArray> momentum = new LinkedHashMap<>();
        sgd.state().forEach((k, v) -> momentum.put("momentum." + k, v));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("iteration", String.valueOf(iteration));
        meta.put("warmed_up", String.valueOf(warmedUp));
        meta.put("recent_errors", JSON.valueToTree(new ArrayList<>(recentErrors)).toString());
        meta.put("seed", String.valueOf(config.seed()));
        meta.put("lr_scale", String.valueOf(lrScale));
        meta.put("plateau", plateau.toJson());
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

    /**
     * The paper's ImageNet rule: the learning rate is divided by 10 when the validation error has
     * not improved for {@code patience} passes (0: never). Saved in checkpoints for exact resume.
     */
    static final class Plateau {
        private final int patience;
        private double best = Double.POSITIVE_INFINITY;
        private int since;

        Plateau(int patience) {
            this.patience = patience;
        }

        /** @return whether the rate should drop now */
        boolean observe(double valError) {
            if (patience == 0 || Double.isNaN(valError)) {
                return false;
            }
            if (valError < best) {
                best = valError;
                since = 0;
                return false;
            }
            if (++since >= patience) {
                since = 0;
                return true;
            }
            return false;
        }

        String toJson() {
            return "{\"best\":" + (Double.isInfinite(best) ? "null" : best) + ",\"since\":" + since + "}";
        }

        void restore(String json) throws IOException {
            if (json == null) {
                return;
            }
            var o = JSON.readTree(json);
            best = o.get("best").isNull() ? Double.POSITIVE_INFINITY : o.get("best").asDouble();
            since = o.get("since").asInt();
        }
    }

}
