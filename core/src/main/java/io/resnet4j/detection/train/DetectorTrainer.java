package io.resnet4j.detection.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import io.resnet4j.detection.AnnotatedImage;
import io.resnet4j.detection.DetectionDataset;
import io.resnet4j.detection.eval.DetectionEvaluator;
import io.resnet4j.detection.eval.MetricKind;
import io.resnet4j.detection.model.FasterRcnn;
import io.resnet4j.image.ImageLoader;
import io.resnet4j.inference.ImageDetector;
import io.resnet4j.detection.model.DetectorCheckpoint;
import io.resnet4j.io.WeightsLoader;
import io.resnet4j.model.BlockType;
import io.resnet4j.model.ResNetConfig;
import io.resnet4j.train.FineTuning;
import io.resnet4j.train.Sgd;
import io.resnet4j.train.TrainingCheckpoints;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Trains a Faster R-CNN on a detection data set: the {@link DetectorTrainStep} on the images of each
 * step in {@link DetectionTrainingSet}'s order, the configured learning-rate drops, VOC07 mAP@0.5 on
 * the held-out images every {@code evalEvery} steps (and before the first and after the last), and,
 * with a run folder, checkpoints that make the run resumable exactly: weights and batch-norm
 * statistics, momentum buffers and the step; the images, flips and samples of a step follow from the
 * seed and the step alone.
 *
 * <pre>{@code
 * DetectionTrainConfig config = DetectionTrainConfig.paper(FasterRcnnConfig.c4("resnet50", 21))
 *         .withInit("torchvision:resnet50", 2).withIterations(20_000);
 * FasterRcnn detector = new DetectorTrainer(config, new DetectionTrainingSet(trainval, maxPixels), test, maxPixels,
 *         Device.cpu()).train(manager);
 * }</pre>
 *
 * <p>A stop request ({@link #requestStop}, safe from a signal handler) ends the loop after the current
 * step, with a checkpoint when there is a run folder. Each step's arrays live in their own NDManager,
 * closed after it.
 */
public final class DetectorTrainer {

    /**
     * How a session ended.
     *
     * @param lastLosses the mean losses of the last metrics row, or null before any step
     * @param lastMap50 the newest held-out mAP@0.5, or NaN
     * @param stopReason why an unfinished session stopped (a signal, "stopped at iteration N as asked")
     */
    public record Outcome(long iteration, boolean completed, DetectorTrainStep.Losses lastLosses, double lastMap50,
            Path lastCheckpoint, double seconds, double imagesPerSecond, long startIteration, String stopReason) {

        /** Whether this session took any step (a resumed run may already have been at its end). */
        public boolean trained() {
            return iteration > startIteration;
        }
    }

    /** Checkpoints kept when not told otherwise, as for classification runs. */
    public static final int DEFAULT_KEEP = 3;

    private final DetectionTrainConfig config;
    private final DetectionTrainingSet train;
    private final DetectionDataset val;
    private final long maxPixels;
    private final Device device;
    private final List<DetectionTrainingListener> listeners = new ArrayList<>();
    private TrainingCheckpoints checkpoints;
    private volatile String stopReason;
    private int keep = DEFAULT_KEEP;
    private double checkpointMinutes = Double.POSITIVE_INFINITY;
    private long stopAtIteration = Long.MAX_VALUE;

    /**
     * @param val the held-out images for mAP, or null for none
     * @param maxPixels images larger than this are refused unread
     * @throws IllegalArgumentException when the model's classes are not the data's, or the data has fewer
     *     images than one batch
     */
    public DetectorTrainer(DetectionTrainConfig config, DetectionTrainingSet train, DetectionDataset val, long maxPixels,
            Device device) {
        this.config = Objects.requireNonNull(config, "config: use DetectionTrainConfig.paper(model)");
        this.train = Objects.requireNonNull(train, "train: wrap a data set in DetectionTrainingSet");
        this.val = val;
        this.maxPixels = maxPixels;
        this.device = Objects.requireNonNull(device, "device: use Device.cpu() or Device.gpu()");
        if (config.model().numClasses() != train.classNames().size()) {
            throw new IllegalArgumentException("the data has " + (train.classNames().size() - 1) + " classes and the"
                    + " background, but the detector " + config.model().numClasses() + " outputs; configure it with "
                    + train.classNames().size() + " classes");
        }
        if (train.batchesPerEpoch(config.batchSize()) < 1) {
            throw new IllegalArgumentException("the training split has " + train.size() + " images, fewer than one"
                    + " batch of " + config.batchSize());
        }
    }

    /** Keeps checkpoints and the final model.safetensors in a folder; without one nothing is written. */
    public DetectorTrainer runFolder(Path dir) {
        checkpoints = new TrainingCheckpoints(dir);
        return this;
    }

    public DetectorTrainer addListener(DetectionTrainingListener l) {
        listeners.add(l);
        return this;
    }

    /** Asks the loop to stop after the current step, with a checkpoint when there is a run folder. */
    public void requestStop() {
        requestStop("stop requested");
    }

    /** {@link #requestStop()}, saying why (recorded in the {@link Outcome}); safe from a signal handler. */
    public void requestStop(String reason) {
        stopReason = reason;
    }

    /**
     * Checkpoint cadence in time as well as in steps, and how many complete checkpoints to keep (never
     * fewer than one).
     */
    public DetectorTrainer checkpoints(double everyMinutes, int keepNewest) {
        if (!(everyMinutes > 0) || keepNewest < 1) {
            throw new IllegalArgumentException("checkpoints need a positive cadence and at least one kept, got "
                    + everyMinutes + " minutes and " + keepNewest);
        }
        checkpointMinutes = everyMinutes;
        keep = keepNewest;
        return this;
    }

    /** Stops as if interrupted once this step is reached; for tests and time boxes. */
    public DetectorTrainer stopAt(long iteration) {
        stopAtIteration = iteration;
        return this;
    }

    public DetectionTrainConfig config() {
        return config;
    }

    public int batchesPerEpoch() {
        return train.batchesPerEpoch(config.batchSize());
    }

    /**
     * Trains a detector of the trainer's own from the start or, with {@code resume}, from the run
     * folder's newest checkpoint; what remains is the run folder.
     */
    public Outcome run(boolean resume) throws IOException {
        if (resume && checkpoints == null) {
            throw new IllegalStateException("resuming needs the run folder to resume from: call runFolder(dir)");
        }
        try (NDManager manager = NDManager.newBaseManager(device)) {
            FasterRcnn net = newDetector(manager, !resume);
            return train(net, resume);
        }
    }

    /** Builds the configured detector in the caller's manager, trains it and returns it. */
    public FasterRcnn train(NDManager manager) throws IOException {
        FasterRcnn net = newDetector(manager, true);
        train(net, false);
        return net;
    }

    private FasterRcnn newDetector(NDManager manager, boolean initialise) throws IOException {
        Engine.getInstance().setRandomSeed((int) config.seed());
        FasterRcnn net = new FasterRcnn(config.model()).initialize(manager);
        if (initialise && config.init() != null) {
            initialiseBackbone(net, config.init(), manager);
        }
        return net;
    }

    /**
     * Copies a classification network's weights into the backbone (its classifier is not used).
     *
     * @throws IllegalArgumentException when the weights hold another architecture
     */
    public static void initialiseBackbone(FasterRcnn net, String weights, NDManager manager) throws IOException {
        try (NDManager scratch = manager.newSubManager()) {
            var loaded = WeightsLoader.load(weights, WeightsLoader.Options.defaults(), scratch).net();
            ResNetConfig have = loaded.config();
            ResNetConfig want = net.body().config();
            boolean bottleneck = want.spec().blockType() == BlockType.BOTTLENECK;
            if (!have.spec().name().equals(want.spec().name())
                    || bottleneck && have.stridePlacement() != want.stridePlacement()) {
                throw new IllegalArgumentException(weights + " holds " + have.spec().name() + " (stride on "
                        + have.stridePlacement().label() + "), but the detector's backbone is " + want.spec().name()
                        + " (stride on " + want.stridePlacement().label() + "); build the detector on the weights'"
                        + " architecture");
            }
            FineTuning.copyWeights(loaded, net.body(), true);
        }
    }

    private Outcome train(FasterRcnn net, boolean resume) throws IOException {
        NDManager manager = net.stateDict().values().iterator().next().getArray().getManager();
        try (Sgd sgd = new Sgd(manager, config.momentum(), config.weightDecay())) {
            DetectorTrainStep step = new DetectorTrainStep(net, sgd, manager, config.frozenPrefix(),
                    config.trainableNorm());
            TrainingCheckpoints.Restored restored = resume ? restore(net, sgd, manager) : null;
            long start = restored == null ? 0 : Long.parseLong(restored.state().get("iteration"));
            listeners.forEach(l -> l.onStart(config, start, batchesPerEpoch()));
            Session session = new Session(net, sgd, step, manager, start);
            session.lastCheckpoint = restored == null ? null : restored.weights();
            Outcome outcome = session.run();
            listeners.forEach(l -> l.onEnd(outcome));
            return outcome;
        }
    }

    private TrainingCheckpoints.Restored restore(FasterRcnn net, Sgd sgd, NDManager manager) throws IOException {
        TrainingCheckpoints.Restored r = checkpoints.restoreLatest(sgd, manager);
        DetectorCheckpoint.loadInto(r.weights(), net);
        return r;
    }

    /** One session of training, from its first (or resumed) step to its end or stop. */
    private final class Session {
        private final FasterRcnn net;
        private final Sgd sgd;
        private final DetectorTrainStep step;
        private final NDManager manager;
        private final long startNanos = System.nanoTime();
        private final long startIteration;
        private long lastCheckpointNanos = startNanos;
        private final Window window = new Window();
        private long iteration;
        private long trainedImages;
        private float lastRate;
        private DetectorTrainStep.Losses lastLosses;
        private double lastMap = Double.NaN;
        private long lastEvaluated = -1;
        private Path lastCheckpoint;

        Session(FasterRcnn net, Sgd sgd, DetectorTrainStep step, NDManager manager, long start) {
            this.net = net;
            this.sgd = sgd;
            this.step = step;
            this.manager = manager;
            this.iteration = start;
            this.startIteration = start;
        }

        Outcome run() throws IOException {
            if (iteration == 0 && val != null && config.evalEvery() > 0) {
                evaluate(); // the untrained detector: where the curve starts
                report(null, Double.NaN);
            }
            boolean stop = false;
            while (!completed() && !stop) {
                stop = afterStep(step());
            }
            return finish();
        }

        private boolean completed() {
            return iteration >= config.iterations();
        }

        /** @return the images trained on */
        private int step() {
            lastRate = config.schedule().rate(iteration, true);
            int[] batch = train.batch(config.seed(), iteration, config.batchSize());
            DetectorTrainStep.Losses losses = null;
            int trained = 0;
            try (NDManager scope = manager.newSubManager()) {
                List<TrainingImage> images = new ArrayList<>();
                List<SplittableRandom> random = new ArrayList<>();
                for (int place = 0; place < batch.length; place++) {
                    SplittableRandom r = DetectionTrainingSet.random(config.seed(), iteration, place);
                    boolean flip = config.horizontalFlip() && r.nextBoolean();
                    TrainingImage image = load(batch[place], flip, scope);
                    if (image != null) {
                        images.add(image);
                        random.add(r);
                    }
                }
                if (!images.isEmpty()) { // empty when no image of the step could be read (each was reported)
                    losses = step.run(images, random, lastRate);
                    trained = images.size();
                }
            }
            if (losses != null && !Float.isFinite(losses.total())) {
                throw new IllegalStateException("training diverged at step " + (iteration + 1) + " (losses " + losses
                        + "); lower the learning rate or check the boxes of the data");
            }
            iteration++;
            trainedImages += trained;
            window.add(losses, trained);
            long at = iteration;
            float rate = lastRate;
            DetectorTrainStep.Losses l = losses;
            listeners.forEach(x -> x.onStep(at, rate, l));
            return trained;
        }

        private TrainingImage load(int index, boolean flip, NDManager scope) {
            try {
                return train.load(index, flip, config.model().transform(), scope);
            } catch (IOException e) {
                AnnotatedImage a = train.dataset().images().get(index);
                listeners.forEach(l -> l.onSkipped(a.file(), ImageLoader.describe(e)));
                return null;
            }
        }

        /** @return whether to stop now */
        private boolean afterStep(int trained) throws IOException {
            boolean evalNow = val != null
                    && (completed() || config.evalEvery() > 0 && iteration % config.evalEvery() == 0);
            if (stopReason == null && iteration >= stopAtIteration) {
                stopReason = "stopped at iteration " + iteration + " as asked";
            }
            boolean stopNow = stopReason != null;
            double imagesPerSecond = window.imagesPerSecond(); // of training alone, before any evaluation
            if (evalNow) {
                evaluate();
            }
            if (iteration % config.logEvery() == 0 || evalNow || completed() || stopNow) {
                report(window.mean(), imagesPerSecond);
            }
            boolean due = iteration % config.checkpointEvery() == 0
                    || (System.nanoTime() - lastCheckpointNanos) / 60e9 >= checkpointMinutes;
            if (checkpoints != null && (due || completed() || stopNow)) {
                checkpoint();
            }
            return stopNow && !completed();
        }

        private void evaluate() {
            DetectionEvaluator.Progress progress = new DetectionEvaluator.Progress() {
                @Override
                public void image(int done, int total) {
                    listeners.forEach(l -> l.onEvaluating(done, total));
                }

                @Override
                public void skipped(AnnotatedImage image, String reason) {
                    listeners.forEach(l -> l.onSkipped(image.file(), reason));
                }
            };
            DetectionEvaluator.Result r = DetectionEvaluator.evaluate(ImageDetector.of(net, train.classNames()),
                    val, MetricKind.VOC07, maxPixels, progress);
            lastMap = r.scores().map() == null ? Double.NaN : r.scores().map();
            lastEvaluated = iteration;
        }

        private void report(DetectorTrainStep.Losses losses, double imagesPerSecond) {
            if (losses != null) {
                lastLosses = losses;
            }
            var m = new DetectionTrainingListener.Metrics(iteration, epochOf(iteration), lastRate,
                    losses, lastEvaluated == iteration ? lastMap : Double.NaN, imagesPerSecond);
            listeners.forEach(l -> l.onMetrics(m));
            window.reset();
        }

        private void checkpoint() throws IOException {
            Map<String, String> state = new LinkedHashMap<>();
            state.put("iteration", String.valueOf(iteration));
            state.put("seed", String.valueOf(config.seed()));
            var provenance = checkpoints.provenance(iteration, config.seed());
            lastCheckpoint = checkpoints.save(iteration,
                    file -> DetectorCheckpoint.save(file, net, train.classNames(), provenance), sgd, state);
            lastCheckpointNanos = System.nanoTime();
            checkpoints.prune(keep);
            Path weights = lastCheckpoint;
            long at = iteration;
            listeners.forEach(l -> l.onCheckpoint(weights, at));
        }

        private Outcome finish() throws IOException {
            double seconds = (System.nanoTime() - startNanos) / 1e9;
            if (completed() && checkpoints != null) {
                lastCheckpoint = checkpoints.publishFinal(lastCheckpoint);
            }
            return new Outcome(iteration, completed(), lastLosses, lastMap, lastCheckpoint, seconds,
                    trainedImages / Math.max(seconds, 1e-9), startIteration, completed() ? null : stopReason);
        }
    }

    /** Mean losses and throughput since the last metrics row. */
    private static final class Window {
        private final double[] sums = new double[4];
        private int steps;
        private long startNanos = System.nanoTime();
        private int images;

        void add(DetectorTrainStep.Losses l, int trained) {
            if (l == null) {
                return;
            }
            images += trained;
            sums[0] += l.objectness();
            sums[1] += l.rpnBoxRegression();
            sums[2] += l.classifier();
            sums[3] += l.boxRegression();
            steps++;
        }

        DetectorTrainStep.Losses mean() {
            if (steps == 0) {
                return null;
            }
            return new DetectorTrainStep.Losses((float) (sums[0] / steps), (float) (sums[1] / steps),
                    (float) (sums[2] / steps), (float) (sums[3] / steps));
        }

        double imagesPerSecond() {
            return images / Math.max((System.nanoTime() - startNanos) / 1e9, 1e-9);
        }

        void reset() {
            java.util.Arrays.fill(sums, 0);
            steps = 0;
            images = 0;
            startNanos = System.nanoTime();
        }
    }

    /**
     * The 1-based epoch a step belongs to (0 before the first step), as classification runs count:
     * the last step of the first epoch is still epoch 1.
     */
    int epochOf(long iteration) {
        return (int) ((iteration + batchesPerEpoch() - 1) / batchesPerEpoch());
    }
}
