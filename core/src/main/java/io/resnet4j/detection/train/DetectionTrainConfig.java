package io.resnet4j.detection.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.resnet4j.detection.data.DetectionSample;
import io.resnet4j.detection.model.FasterRcnnConfig;
import io.resnet4j.detection.ops.AnchorGenerator;
import io.resnet4j.detection.model.DetectorConfigJson;
import io.resnet4j.io.JsonErrors;
import io.resnet4j.train.InvalidConfigException;
import io.resnet4j.train.LearningRateSchedule;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A detector's training run besides its data: the model and every hyperparameter, one object that
 * run.json records whole and {@code --resume} reads back. {@link #paper} is the Faster R-CNN recipe
 * the ResNet paper follows on Pascal VOC; every value can be changed with a {@code with} method.
 *
 * @param recipe the recipe's name ("paper", "demo")
 * @param model the detector, its input sizes, anchors and sampling settings included
 * @param batchSize images per SGD step
 * @param iterations SGD steps of the run
 * @param schedule the learning rate and its drops (by {@code factor} at each milestone)
 * @param momentum SGD momentum
 * @param weightDecay SGD weight decay (on every trained parameter)
 * @param horizontalFlip whether each training image is mirrored with probability 1/2 (boxes too)
 * @param trainableNorm whether the backbone's batch norm learns (batch statistics, trained scale and
 *     shift: training from scratch, as torchvision does without pretrained weights); false keeps it
 *     frozen, as the paper and torchvision do when starting from classification weights
 * @param frozenPrefix leading backbone layers kept fixed: 0 none, 1 conv1, k conv1..convk_x
 * @param init classification weights the backbone starts from (a resnet4j checkpoint, a torchvision
 *     .pth, torchvision:NAME), or null to start from scratch
 * @param seed seed of initialisation, image order, flips and sampling
 * @param checkpointEvery steps between checkpoints
 * @param logEvery steps between metrics.csv rows
 * @param evalEvery steps between evaluations on the held-out images (0: only at the end)
 */
public record DetectionTrainConfig(
        String recipe,
        FasterRcnnConfig model,
        int batchSize,
        long iterations,
        LearningRateSchedule schedule,
        float momentum,
        float weightDecay,
        boolean horizontalFlip,
        boolean trainableNorm,
        int frozenPrefix,
        String init,
        long seed,
        int checkpointEvery,
        int logEvery,
        int evalEvery) {

    /** The paper's budget on VOC 2007 trainval: 60k steps at 0.001, then 20k at 0.0001. */
    public static final long PAPER_ITERATIONS = 80_000;
    public static final long DEFAULT_SEED = 42;
    private static final ObjectMapper JSON = DetectorConfigJson.MAPPER;

    public DetectionTrainConfig {
        Objects.requireNonNull(recipe, "recipe");
        Objects.requireNonNull(model, "model: use FasterRcnnConfig.c4(\"resnet50\", classes)");
        Objects.requireNonNull(schedule, "schedule");
        check(batchSize >= 1, "batchSize", "batch size " + batchSize + " must be at least 1");
        check(iterations >= 1, "iterations", "iterations " + iterations + " must be at least 1");
        check(momentum >= 0 && momentum < 1, "momentum", "momentum " + momentum + " must be in [0, 1)");
        check(weightDecay >= 0, "weightDecay", "weight decay " + weightDecay + " must be at least 0");
        check(frozenPrefix >= 0 && frozenPrefix <= 5, "frozenPrefix", "frozen prefix " + frozenPrefix
                + " must be between 0 (nothing) and 5 (conv1..conv5_x)");
        check(frozenPrefix == 0 || !trainableNorm, "frozenPrefix", "fixed layers need frozen batch norm (training"
                + " from --init weights); a backbone trained from scratch trains every layer");
        check(checkpointEvery >= 1, "checkpointEvery", "checkpoint interval " + checkpointEvery + " must be at least 1");
        check(logEvery >= 1, "logEvery", "log interval " + logEvery + " must be at least 1");
        check(evalEvery >= 0, "evalEvery", "evaluation interval " + evalEvery + " must be at least 0 (0: at the end)");
    }

    private static void check(boolean ok, String parameter, String message) {
        if (!ok) {
            throw new InvalidConfigException(parameter, message);
        }
    }

    /**
     * Faster R-CNN's recipe as the ResNet paper uses it (Ren et al. 2015, section 4; He et al. 2015,
     * appendix A): one image per step, SGD with momentum 0.9 and weight decay 1e-4, learning rate
     * 0.001 for the first 3/4 of the steps and 0.0001 after, horizontal flips, batch norm frozen
     * and conv1 and conv2_x fixed (as torchvision's three trainable layers).
     */
    public static DetectionTrainConfig paper(FasterRcnnConfig model) {
        return new DetectionTrainConfig("paper", model, 1, PAPER_ITERATIONS,
                new LearningRateSchedule(0.001f, List.of(60_000L), 0.1f, 0, 0, 0), 0.9f, 1e-4f, true, false, 2, null,
                DEFAULT_SEED, 5000, 20, 0);
    }

    /**
     * The demo's recipe: a detector that learns the procedural shapes ({@link #demoData}) from scratch in
     * minutes on a laptop's CPU. The paper's C4 design on ResNet-18, the 128-pixel images enlarged to
     * 256 (as the paper enlarges VOC's to 600) so the smallest shapes span two conv4_x cells, anchors of
     * 32 to 128 pixels, 4x4 RoIAlign into conv5_x (whose first unit strides by 2, as Detectron's C4),
     * 64 sampled proposals an image, 50 proposals and detections at test time. Batch norm learns, as
     * torchvision trains from scratch, over 8 images a step: its statistics of single images differ
     * so much from image to image (flat backgrounds of any colour) that a detector trained on them
     * fails with the running averages it is evaluated with. SGD at 0.02, divided by 10 for the last quarter.
     */
    public static DetectionTrainConfig demo(int numClasses) {
        FasterRcnnConfig c4 = FasterRcnnConfig.c4("resnet18", numClasses);
        FasterRcnnConfig model = new FasterRcnnConfig(c4.architecture(), c4.backbone(), c4.stridePlacement(), numClasses,
                c4.transform().withSizes(256, 512),
                new AnchorGenerator(List.of(List.of(32, 64, 128)), List.of(0.5f, 1f, 2f)),
                new FasterRcnnConfig.Rpn(2000, 1000, 300, 50, 0.7f, 0.7f, 0.3f, 256, 0.5f),
                new FasterRcnnConfig.Box(4, 2, 0.05f, 0.5f, 50, 0.5f, 0.5f, 64, 0.25f), 2);
        return new DetectionTrainConfig("demo", model, 8, 300,
                new LearningRateSchedule(0.02f, List.of(225L), 0.1f, 0, 0, 0), 0.9f, 1e-4f, true, true, 0, null,
                DEFAULT_SEED, 1000, 10, 50);
    }

    /** The demo's data: 400 training and 50 held-out procedural images of 128x128 pixels, up to 4 shapes each. */
    public static DetectionSample.Spec demoData(long seed) {
        return new DetectionSample.Spec(128, 400, 50, 4, true, seed);
    }

    /** A budget of {@code n} steps; the learning-rate drops keep their places as fractions of the budget. */
    public DetectionTrainConfig withIterations(long n) {
        check(n >= 1, "iterations", "iterations " + n + " must be at least 1");
        List<Long> scaled = new ArrayList<>();
        for (long m : schedule.milestones()) {
            long s = Math.max(1, Math.round((double) m * n / iterations));
            if (s < n && (scaled.isEmpty() || s > scaled.get(scaled.size() - 1))) {
                scaled.add(s);
            }
        }
        return new DetectionTrainConfig(recipe, model, batchSize, n, withMilestones(schedule, scaled), momentum,
                weightDecay, horizontalFlip, trainableNorm, frozenPrefix, init, seed, checkpointEvery, logEvery,
                evalEvery);
    }

    /** Learning-rate drops at these steps, instead of the recipe's. */
    public DetectionTrainConfig withMilestones(List<Long> milestones) {
        try {
            return withSchedule(withMilestones(schedule, milestones));
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException("milestones", e.getMessage());
        }
    }

    private static LearningRateSchedule withMilestones(LearningRateSchedule s, List<Long> milestones) {
        return new LearningRateSchedule(s.baseRate(), milestones, s.factor(), 0, 0, 0);
    }

    public DetectionTrainConfig withLearningRate(float rate) {
        try {
            return withSchedule(new LearningRateSchedule(rate, schedule.milestones(), schedule.factor(), 0, 0, 0));
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException("learningRate", e.getMessage());
        }
    }

    private DetectionTrainConfig withSchedule(LearningRateSchedule s) {
        return new DetectionTrainConfig(recipe, model, batchSize, iterations, s, momentum, weightDecay, horizontalFlip,
                trainableNorm, frozenPrefix, init, seed, checkpointEvery, logEvery, evalEvery);
    }

    public DetectionTrainConfig withModel(FasterRcnnConfig m) {
        return new DetectionTrainConfig(recipe, m, batchSize, iterations, schedule, momentum, weightDecay,
                horizontalFlip, trainableNorm, frozenPrefix, init, seed, checkpointEvery, logEvery, evalEvery);
    }

    public DetectionTrainConfig withBatchSize(int n) {
        return new DetectionTrainConfig(recipe, model, n, iterations, schedule, momentum, weightDecay, horizontalFlip,
                trainableNorm, frozenPrefix, init, seed, checkpointEvery, logEvery, evalEvery);
    }

    public DetectionTrainConfig withOptimizer(float newMomentum, float newWeightDecay) {
        return new DetectionTrainConfig(recipe, model, batchSize, iterations, schedule, newMomentum, newWeightDecay,
                horizontalFlip, trainableNorm, frozenPrefix, init, seed, checkpointEvery, logEvery, evalEvery);
    }

    public DetectionTrainConfig withHorizontalFlip(boolean flip) {
        return new DetectionTrainConfig(recipe, model, batchSize, iterations, schedule, momentum, weightDecay, flip,
                trainableNorm, frozenPrefix, init, seed, checkpointEvery, logEvery, evalEvery);
    }

    /**
     * Where the backbone starts and what of it learns: from {@code weights} with batch norm frozen and
     * the first {@code fixedLayers} layers fixed, or (null weights) from scratch with batch norm learning
     * and every layer trained.
     */
    public DetectionTrainConfig withInit(String weights, int fixedLayers) {
        return new DetectionTrainConfig(recipe, model, batchSize, iterations, schedule, momentum, weightDecay,
                horizontalFlip, weights == null, weights == null ? 0 : fixedLayers, weights, seed, checkpointEvery,
                logEvery, evalEvery);
    }

    public DetectionTrainConfig withSeed(long s) {
        return new DetectionTrainConfig(recipe, model, batchSize, iterations, schedule, momentum, weightDecay,
                horizontalFlip, trainableNorm, frozenPrefix, init, s, checkpointEvery, logEvery, evalEvery);
    }

    public DetectionTrainConfig withCadence(int checkpoints, int logs, int evaluations) {
        return new DetectionTrainConfig(recipe, model, batchSize, iterations, schedule, momentum, weightDecay,
                horizontalFlip, trainableNorm, frozenPrefix, init, seed, checkpoints, logs, evaluations);
    }

    public DetectionTrainConfig withRecipe(String name) {
        return new DetectionTrainConfig(name, model, batchSize, iterations, schedule, momentum, weightDecay,
                horizontalFlip, trainableNorm, frozenPrefix, init, seed, checkpointEvery, logEvery, evalEvery);
    }

    /** Two configurations are equal when they would record the same run.json "config" (the transform holds arrays). */
    @Override
    public boolean equals(Object other) {
        return other instanceof DetectionTrainConfig c && toJson().equals(c.toJson());
    }

    @Override
    public int hashCode() {
        return toJson().hashCode();
    }

    /** The run.json "config" object. */
    public ObjectNode toJson() {
        return JSON.valueToTree(this);
    }

    /**
     * Reads what {@link #toJson} wrote.
     *
     * @throws IllegalArgumentException naming what is missing or invalid
     */
    public static DetectionTrainConfig fromJson(JsonNode o) {
        try {
            DetectionTrainConfig c = JSON.treeToValue(o, DetectionTrainConfig.class);
            DetectorConfigJson.fromJson(o.get("model")); // the same bounds as a checkpoint's
            return c;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a detection training configuration: " + JsonErrors.describe(e), e);
        }
    }
}
