package io.resnet4j.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.resnet4j.data.Batch;
import io.resnet4j.data.BatchSource;
import io.resnet4j.data.Batcher;
import io.resnet4j.data.CifarData;
import io.resnet4j.image.Preprocessing;
import io.resnet4j.model.ResNet;
import io.resnet4j.model.ResNetConfig;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Trains a network on CIFAR data or image folders: deterministic batches from a
 * {@link TrainingData}, the {@link TrainStep}, the configured learning-rate schedule (milestones,
 * warm-up, plateau rule), validation passes, and, with a run folder, checkpoints that make a run
 * resumable exactly (weights, BN statistics, momentum buffers, schedule state; the data order
 * follows from seed, epoch and position).
 *
 * <p>From code, fine-tuning is a few lines; the caller's network comes back trained, in the
 * caller's NDManager, and without a run folder nothing is written to disk:
 *
 * <pre>{@code
 * TrainConfig config = TrainConfig.builder(Recipe.fineTune()).model(net.config().withClasses(3)).build();
 * ResNet tuned = new Trainer(config, data, Device.cpu()).train(net);
 * }</pre>
 *
 * <p>Native memory: each batch lives in its own NDManager, closed after the step; the momentum
 * buffers live in a sub-manager of the network's, closed when training ends.
 */
public final class Trainer {

    /**
     * How a run ended.
     *
     * @param startIteration where this session started (0, or where a resumed run left off)
     * @param stopReason why an unfinished run stopped ("stopped at iteration N as asked", a signal's
     *     name), or null when it completed
     */
    public record Outcome(long iteration, boolean completed, double lastTrainError, double lastValError,
            Path lastCheckpoint, double seconds, double imagesPerSecond, long startIteration, String stopReason) {

        /** Whether this session took any step (a resumed run may already have been at its end). */
        public boolean trained() {
            return iteration > startIteration;
        }
    }

    private final TrainConfig config;
    private final TrainingData data;
    private final Device device;
    private final List<TrainingListener> listeners = new ArrayList<>();
    private TrainingCheckpoints checkpoints;
    private volatile String stopRequested;
    private long stopAtIteration = Long.MAX_VALUE;
    private Preprocessing preprocessing;
    private Outcome outcome;

    /**
     * @param device where a network the trainer builds lives; a caller's network must be there too
     * @throws IllegalArgumentException when the data and the configuration do not fit together
     */
    public Trainer(TrainConfig config, TrainingData data, Device device) {
        this.config = Objects.requireNonNull(config, "config: build one with TrainConfig.builder(Recipe.cifar())");
        this.data = Objects.requireNonNull(data, "data: use CifarTrainingData or ImageFolderTrainingData");
        this.device = Objects.requireNonNull(device, "device: use Device.cpu() or Device.gpu()");
        if (data.numClasses() > config.model().classes()) {
            throw new IllegalArgumentException("the data has " + data.numClasses() + " classes but the model only "
                    + config.model().classes() + " outputs; configure the model with withClasses("
                    + data.numClasses() + ")");
        }
        if (batchesPerEpoch() < 1) {
            throw new InvalidConfigException("batchSize", "the training data has " + data.size()
                    + " images, fewer than one batch of " + config.batchSize());
        }
        data.augments(config.augmentation());
    }

    /** CIFAR splits in memory; {@code val} may be null to skip validation passes. */
    public Trainer(TrainConfig config, CifarData train, CifarData val, Device device) {
        this(config, new CifarTrainingData(train, val), device);
    }

    /**
     * Keeps the run in a folder: checkpoints (every {@link TrainConfig#checkpointEvery} steps, every
     * {@link TrainConfig#checkpointMinutes} minutes, on a stop, and at the end; the newest
     * {@link TrainConfig#keepCheckpoints} are kept), the final {@value TrainingCheckpoints#FINAL_MODEL},
     * and what {@link #run(boolean) run(true)} resumes from. Without one the trainer writes no file.
     */
    public Trainer runFolder(Path dir) {
        checkpoints = new TrainingCheckpoints(dir);
        return this;
    }

    public Trainer addListener(TrainingListener l) {
        listeners.add(l);
        return this;
    }

    /** Asks the loop to stop after the current step, with a checkpoint when there is a run folder (safe from a signal handler). */
    public void requestStop() {
        requestStop("stop requested");
    }

    /** {@link #requestStop()}, saying why (recorded in the {@link Outcome} and by listeners such as {@link RunJson}). */
    public void requestStop(String reason) {
        stopRequested = Objects.requireNonNull(reason, "reason: say why the run stops, e.g. \"SIGTERM\"");
    }

    /** Stops as if interrupted once this iteration is reached; for tests and time boxes. */
    public Trainer stopAt(long iteration) {
        this.stopAtIteration = iteration;
        return this;
    }

    public int batchesPerEpoch() {
        return Batcher.batchesPerEpoch(data.size(), config.batchSize(), true);
    }

    public TrainConfig config() {
        return config;
    }

    /** The input normalisation of the last training (what a checkpoint of its network must record). */
    public Preprocessing preprocessing() {
        return preprocessing;
    }

    /** How the last training ended, or null before one. */
    public Outcome outcome() {
        return outcome;
    }

    /**
     * Trains the caller's network and returns it, with the configured frozen prefix set. When the
     * configured model has another number of classes, a copy with a freshly initialised classifier
     * is trained and returned instead (in the same NDManager), and the argument is left as it was.
     *
     * @throws IllegalArgumentException when the network's architecture is not the configured one,
     *     or it lives on another device than this trainer's
     */
    public ResNet train(ResNet net) throws IOException {
        if (config.init() != null) {
            throw new IllegalArgumentException("the configuration starts from the weights " + config.init()
                    + "; train(NDManager) builds that network, or configure no initial weights for train(ResNet)");
        }
        seedEngine();
        ResNet target = withConfiguredClasses(net);
        train(target, false);
        return target;
    }

    /** Builds the configured network in the manager (from the configured initial weights, if any) and trains it. */
    public ResNet train(NDManager manager) throws IOException {
        seedEngine();
        ResNet net = newNetwork(manager);
        train(net, false);
        return net;
    }

    /**
     * Trains a network of the trainer's own, from scratch or, with {@code resume}, from the run
     * folder's newest complete checkpoint; a run stopped before its first checkpoint starts again
     * from iteration 0, exactly as it first began. The network is closed at the end and what
     * remains is the run folder (the command line's way of training).
     */
    public Outcome run(boolean resume) throws IOException {
        if (resume && checkpoints == null) {
            throw new IllegalStateException("resuming needs the run folder to resume from: call runFolder(dir)");
        }
        boolean fromCheckpoint = resume && checkpoints.latest().isPresent();
        try (NDManager manager = NDManager.newBaseManager(device)) {
            seedEngine();
            ResNet net = fromCheckpoint ? new ResNet(config.model()).initialize(manager) : newNetwork(manager);
            return train(net, fromCheckpoint);
        }
    }

    private void seedEngine() {
        Engine.getInstance().setRandomSeed((int) config.seed());
    }

    private ResNet newNetwork(NDManager manager) throws IOException {
        ResNet net = new ResNet(config.model()).initialize(manager);
        if (config.init() != null) {
            FineTuning.initialise(net, config.init(), config.newHead(), manager);
        }
        return net;
    }

    private ResNet withConfiguredClasses(ResNet net) {
        ResNetConfig have = net.config();
        ResNetConfig want = config.model();
        if (!have.spec().equals(want.spec()) || have.shortcut() != want.shortcut()
                || have.stridePlacement() != want.stridePlacement()) {
            throw new IllegalArgumentException("the network is a " + describe(have) + " but the configuration trains a "
                    + describe(want) + "; configure the model as net.config() (withClasses(K) for a new classifier)");
        }
        if (have.classes() == want.classes()) {
            return net;
        }
        ResNet replaced = new ResNet(have.withClasses(want.classes())).initialize(managerOf(net));
        FineTuning.copyWeights(net, replaced, true);
        return replaced;
    }

    private static String describe(ResNetConfig c) {
        return c.spec().name() + " (shortcut " + c.shortcutLabel() + ", stride on " + c.stridePlacement() + ")";
    }

    private static NDManager managerOf(ResNet net) {
        return net.stateDict().values().iterator().next().getArray().getManager();
    }

    private Outcome train(ResNet net, boolean resume) throws IOException {
        NDManager manager = managerOf(net);
        if (!manager.getDevice().equals(device)) {
            throw new IllegalArgumentException("the network is on " + manager.getDevice() + " but the trainer on "
                    + device + "; create the trainer for the network's device");
        }
        try (Sgd sgd = new Sgd(manager, config.momentum(), config.weightDecay())) {
            ScheduleState state = new ScheduleState(config);
            Preprocessing resumed = resume ? checkpoints.restoreLatest(net, sgd, state, manager) : null;
            Path restored = resume ? checkpoints.latest().orElseThrow() : null;
            preprocessing = data.preprocessing(resumed);
            net.setFrozenPrefix(config.frozenPrefix());
            listeners.forEach(l -> l.onStart(config, state.iteration(), batchesPerEpoch()));
            outcome = new Session(net, sgd, newStep(net, sgd, manager), state, manager, restored).run();
            listeners.forEach(l -> l.onEnd(outcome));
            return outcome;
        }
    }

    private TrainStep newStep(ResNet net, Sgd sgd, NDManager manager) {
        TrainStep step = new TrainStep(net, sgd, manager).accumulate(config.accumulate());
        if (!Float.isNaN(config.headLearningRate())) {
            // The classifier follows the same schedule, from its own base rate.
            double headScale = config.headLearningRate() / config.schedule().baseRate();
            step.rateScale(name -> name.startsWith("fc.") ? headScale : 1.0);
        }
        return step;
    }

    /** One training from its first (or resumed) step to its end or stop. */
    private final class Session {
        private final ResNet net;
        private final Sgd sgd;
        private final TrainStep step;
        private final ScheduleState state;
        private final NDManager manager;
        private final MetricsWindow window = new MetricsWindow();
        private final long startNanos = System.nanoTime();
        private final long startIteration;
        private final int evalInterval;
        private final long checkpointNanos;
        private long lastCheckpointNanos = startNanos;
        private long trainedImages;
        private float lastRate;
        private double lastTrainError = Double.NaN;
        private double lastValError = Double.NaN;
        private Path lastCheckpoint;

        /** @param restored the checkpoint a resumed run continues from, or null */
        Session(ResNet net, Sgd sgd, TrainStep step, ScheduleState state, NDManager manager, Path restored) {
            this.net = net;
            this.sgd = sgd;
            this.step = step;
            this.state = state;
            this.manager = manager;
            this.lastCheckpoint = restored;
            this.startIteration = state.iteration();
            this.evalInterval = config.evalEvery() == Recipe.EACH_EPOCH ? batchesPerEpoch() : config.evalEvery();
            double minutes = config.checkpointMinutes();
            this.checkpointNanos = minutes > 0 ? (long) Math.min(minutes * 60e9, Long.MAX_VALUE) : Long.MAX_VALUE;
        }

        Outcome run() throws IOException {
            int perEpoch = batchesPerEpoch();
            long start = state.iteration();
            int endEpoch = (int) ((config.iterations() + perEpoch - 1) / perEpoch);
            boolean stopped = false;
            try (BatchSource batches = data.trainBatches(config, (int) (start / perEpoch), (int) (start % perEpoch),
                    endEpoch)) {
                while (!completed() && !stopped && batches.hasNext()) {
                    Batch batch = batches.next();
                    if (batch.size() > 0) { // empty when every file of the batch was unreadable (the loader reports them)
                        step(batch);
                        stopped = afterStep(batch.epoch());
                    }
                }
            }
            return finish();
        }

        private boolean completed() {
            return state.iteration() >= config.iterations();
        }

        private void step(Batch batch) {
            lastRate = state.rate();
            TrainStep.Result r;
            try (NDManager scope = manager.newSubManager()) {
                r = step.run(images(batch, scope), labels(batch, scope), lastRate);
            }
            state.stepped((double) r.errors() / r.batchSize());
            if (!Float.isFinite(r.loss())) {
                throw new IllegalStateException("training diverged at iteration " + state.iteration() + " (loss "
                        + r.loss() + "); lower the learning rate or check the data");
            }
            window.add(r);
            trainedImages += r.batchSize();
            long iteration = state.iteration();
            int epoch = batch.epoch();
            listeners.forEach(l -> l.onStep(iteration, epoch, lastRate, r));
        }

        private static NDArray images(Batch batch, NDManager scope) {
            int n = batch.size();
            int side = batch.side();
            return scope.create(FloatBuffer.wrap(batch.images(), 0, n * 3 * side * side), new Shape(n, 3, side, side));
        }

        private static NDArray labels(Batch batch, NDManager scope) {
            long[] labels = new long[batch.size()];
            for (int i = 0; i < labels.length; i++) {
                labels[i] = batch.labels()[i];
            }
            return scope.create(labels);
        }

        /** @return whether to stop now */
        private boolean afterStep(int epoch) throws IOException {
            long iteration = state.iteration();
            boolean completed = completed();
            boolean evalNow = data.valSize() > 0 && (iteration % evalInterval == 0 || completed);
            boolean stopNow = stopRequested != null || iteration >= stopAtIteration;
            if (iteration % config.logEvery() == 0 || evalNow || completed || stopNow) {
                report(epoch, evalNow);
            }
            if (checkpoints != null && (checkpointDue(iteration) || completed || stopNow)) {
                checkpoint();
            }
            return stopNow && !completed;
        }

        /** By iterations, or by wall-clock time so that a kill loses at most that much work. */
        private boolean checkpointDue(long iteration) {
            return iteration % config.checkpointEvery() == 0 || System.nanoTime() - lastCheckpointNanos >= checkpointNanos;
        }

        private void report(int epoch, boolean evalNow) {
            // Throughput of training alone: measured before the validation pass.
            double imagesPerSecond = window.imagesPerSecond();
            lastTrainError = window.error();
            double valError = evalNow ? evaluate() : Double.NaN;
            TrainingListener.Metrics m = new TrainingListener.Metrics(state.iteration(), epoch + 1, lastRate,
                    window.meanLoss(), lastTrainError, valError, imagesPerSecond);
            listeners.forEach(l -> l.onMetrics(m));
            window.reset();
        }

        private double evaluate() {
            lastValError = data.validationError(net, manager);
            state.validated(lastValError);
            return lastValError;
        }

        private void checkpoint() throws IOException {
            lastCheckpoint = checkpoints.save(net, sgd, state, preprocessing, data.classNames(), config.seed());
            lastCheckpointNanos = System.nanoTime();
            checkpoints.prune(config.keepCheckpoints());
            Path weights = lastCheckpoint;
            long iteration = state.iteration();
            listeners.forEach(l -> l.onCheckpoint(weights, iteration));
        }

        private Outcome finish() throws IOException {
            double seconds = (System.nanoTime() - startNanos) / 1e9;
            boolean completed = completed();
            if (completed && checkpoints != null) {
                lastCheckpoint = checkpoints.publishFinal(lastCheckpoint);
            }
            String reason = completed ? null : stopRequested != null ? stopRequested
                    : "stopped at iteration " + state.iteration() + " as asked";
            return new Outcome(state.iteration(), completed, lastTrainError, lastValError, lastCheckpoint, seconds,
                    trainedImages / Math.max(seconds, 1e-9), startIteration, reason);
        }
    }

    /** Loss, errors and throughput since the last metrics row. */
    private static final class MetricsWindow {
        private double sumLoss;
        private long errors;
        private long images;
        private long startNanos = System.nanoTime();

        void add(TrainStep.Result r) {
            sumLoss += r.loss() * r.batchSize();
            errors += r.errors();
            images += r.batchSize();
        }

        double meanLoss() {
            return sumLoss / images;
        }

        double error() {
            return (double) errors / images;
        }

        double imagesPerSecond() {
            return images / Math.max((System.nanoTime() - startNanos) / 1e9, 1e-9);
        }

        void reset() {
            sumLoss = 0;
            errors = 0;
            images = 0;
            startNanos = System.nanoTime();
        }
    }
}
