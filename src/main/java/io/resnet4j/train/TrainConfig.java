package io.resnet4j.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.resnet4j.model.ResNetConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * Every hyperparameter of a CIFAR training run. {@link #paper} gives the paper's recipe
 * (section 4.2); every value can be changed. Stored in run.json so a run can be resumed from its
 * folder alone.
 *
 * @param model the network to train
 * @param batchSize images per step (128)
 * @param momentum SGD momentum (0.9)
 * @param weightDecay L2 weight decay (1e-4)
 * @param iterations total steps (64,000)
 * @param schedule learning rates (0.1, /10 at 32k and 48k; warm-up 0.01 for 110 layers and more)
 * @param seed seed of initialisation, shuffling and augmentation
 * @param checkpointEvery steps between checkpoints (a checkpoint is also written at the end)
 * @param logEvery steps between metrics rows
 * @param evalEvery steps between validation passes (default: once per epoch)
 * @param workers data-preparation threads
 * @param augment the data's augmentation (CIFAR: pad-4 crop and flip; image folders: scale, crop, flip, lighting)
 * @param tuning gradient accumulation, plateau schedule and fine-tuning settings ({@link Tuning#NONE}: off)
 */
public record TrainConfig(
        ResNetConfig model, int batchSize, float momentum, float weightDecay, long iterations,
        LearningRateSchedule schedule, long seed, int checkpointEvery, int logEvery, int evalEvery, int workers,
        boolean augment, Tuning tuning) {

    /**
     * Settings beyond the CIFAR recipe.
     *
     * @param accumulate micro-batches per SGD step: each batch is split in this many parts whose
     *     gradients add up before one update (for batches that do not fit in memory); 1 = off
     * @param plateauPatience divide the learning rate by 10 when the validation error has not improved
     *     for this many validation passes (the paper's ImageNet rule); 0 = off
     * @param frozenPrefix leading layers kept fixed, BN statistics included: 0 none, 1 the stem (conv1),
     *     k the stem and stages conv2_x..convk_x (see {@link io.resnet4j.model.ResNet#setFrozenPrefix})
     * @param headLearningRate the classifier's base learning rate (scaled by the schedule like the
     *     rest); NaN = the same as every other layer
     * @param init weights to start from (a checkpoint, .pth, .safetensors or torchvision reference), or null
     * @param newHead whether the classifier of {@code init} is replaced by a freshly initialised one
     */
    public record Tuning(int accumulate, int plateauPatience, int frozenPrefix, float headLearningRate, String init,
            boolean newHead) {
        public static final Tuning NONE = new Tuning(1, 0, 0, Float.NaN, null, false);

        public Tuning {
            if (accumulate < 1 || plateauPatience < 0 || frozenPrefix < 0) {
                throw new IllegalArgumentException("--accumulate must be at least 1, --plateau-patience at least 0"
                        + " and the frozen prefix at least 0; got " + accumulate + ", " + plateauPatience + ", " + frozenPrefix);
            }
            if (!Float.isNaN(headLearningRate) && headLearningRate < 0) {
                throw new IllegalArgumentException("--head-lr must be >= 0, got " + headLearningRate);
            }
        }

        public Tuning withAccumulate(int k) {
            return new Tuning(k, plateauPatience, frozenPrefix, headLearningRate, init, newHead);
        }

        public Tuning withPlateauPatience(int p) {
            return new Tuning(accumulate, p, frozenPrefix, headLearningRate, init, newHead);
        }

        public Tuning withFineTuning(String initWeights, boolean replaceHead, int frozen, float headLr) {
            return new Tuning(accumulate, plateauPatience, frozen, headLr, initWeights, replaceHead);
        }
    }

    /** The CIFAR form: no accumulation, plateau or fine-tuning. */
    public TrainConfig(ResNetConfig model, int batchSize, float momentum, float weightDecay, long iterations,
            LearningRateSchedule schedule, long seed, int checkpointEvery, int logEvery, int evalEvery, int workers,
            boolean augment) {
        this(model, batchSize, momentum, weightDecay, iterations, schedule, seed, checkpointEvery, logEvery, evalEvery,
                workers, augment, Tuning.NONE);
    }

    /** Depth from which the paper warms up at 0.01 (it does so for ResNet-110 and ResNet-1202). */
    public static final int WARMUP_DEPTH = 110;

    public TrainConfig {
        java.util.Objects.requireNonNull(tuning, "tuning: use TrainConfig.Tuning.NONE");
        if (batchSize % tuning.accumulate() != 0) {
            throw new IllegalArgumentException("--batch-size " + batchSize + " is not divisible by --accumulate "
                    + tuning.accumulate() + "; choose a batch size that splits into equal micro-batches");
        }
        if (batchSize < 1 || iterations < 1 || checkpointEvery < 1 || logEvery < 1 || evalEvery < 1 || workers < 1) {
            throw new IllegalArgumentException("batch size, iterations, checkpoint/log/eval intervals and workers must be"
                    + " at least 1");
        }
    }

    /** The paper's CIFAR recipe: 64k iterations of batch 128, lr 0.1 /10 at 32k and 48k, warm-up for deep nets. */
    public static TrainConfig paper(ResNetConfig model, int batchesPerEpoch) {
        return withIterations(model, 64_000, List.of(32_000L, 48_000L), batchesPerEpoch);
    }

    /** The paper's recipe compressed to a number of epochs, milestones at 50% and 75%. */
    public static TrainConfig epochs(ResNetConfig model, int epochs, int batchesPerEpoch) {
        long total = (long) epochs * batchesPerEpoch;
        return withIterations(model, total, LearningRateSchedule.proportionalMilestones(total), batchesPerEpoch);
    }

    private static TrainConfig withIterations(ResNetConfig model, long total, List<Long> milestones, int batchesPerEpoch) {
        boolean warmup = model.spec().depth() >= WARMUP_DEPTH;
        LearningRateSchedule schedule = new LearningRateSchedule(0.1f, milestones, 0.1f, 0f, 0, 0)
                .withWarmup(warmup ? 0.01f : 0f);
        return new TrainConfig(model, 128, 0.9f, 1e-4f, total, schedule, 42, 2_000, 50,
                Math.max(1, batchesPerEpoch), 2, true);
    }

    public TrainConfig withBatchSize(int b) {
        return new TrainConfig(model, b, momentum, weightDecay, iterations, schedule, seed, checkpointEvery, logEvery, evalEvery, workers, augment, tuning);
    }

    public TrainConfig withSchedule(LearningRateSchedule s) {
        return new TrainConfig(model, batchSize, momentum, weightDecay, iterations, s, seed, checkpointEvery, logEvery, evalEvery, workers, augment, tuning);
    }

    public TrainConfig withOptimizer(float m, float wd) {
        return new TrainConfig(model, batchSize, m, wd, iterations, schedule, seed, checkpointEvery, logEvery, evalEvery, workers, augment, tuning);
    }

    public TrainConfig withSeed(long s) {
        return new TrainConfig(model, batchSize, momentum, weightDecay, iterations, schedule, s, checkpointEvery, logEvery, evalEvery, workers, augment, tuning);
    }

    public TrainConfig withIntervals(int checkpoint, int log, int eval) {
        return new TrainConfig(model, batchSize, momentum, weightDecay, iterations, schedule, seed, checkpoint, log, eval, workers, augment, tuning);
    }

    public TrainConfig withWorkers(int w) {
        return new TrainConfig(model, batchSize, momentum, weightDecay, iterations, schedule, seed, checkpointEvery, logEvery, evalEvery, w, augment, tuning);
    }

    public TrainConfig withTuning(Tuning t) {
        return new TrainConfig(model, batchSize, momentum, weightDecay, iterations, schedule, seed, checkpointEvery, logEvery, evalEvery, workers, augment, t);
    }

    public TrainConfig withModel(ResNetConfig m) {
        return new TrainConfig(m, batchSize, momentum, weightDecay, iterations, schedule, seed, checkpointEvery, logEvery, evalEvery, workers, augment, tuning);
    }

    public TrainConfig withIterations(long n) {
        return new TrainConfig(model, batchSize, momentum, weightDecay, n, schedule, seed, checkpointEvery, logEvery, evalEvery, workers, augment, tuning);
    }

    public TrainConfig withAugment(boolean a) {
        return new TrainConfig(model, batchSize, momentum, weightDecay, iterations, schedule, seed, checkpointEvery, logEvery, evalEvery, workers, a, tuning);
    }

    public ObjectNode toJson() {
        ObjectNode o = io.resnet4j.io.ModelConfigJson.toJson(model);
        o.put("batch_size", batchSize);
        o.put("momentum", momentum);
        o.put("weight_decay", weightDecay);
        o.put("iterations", iterations);
        o.put("learning_rate", schedule.baseRate());
        var ms = o.putArray("milestones");
        schedule.milestones().forEach(ms::add);
        o.put("lr_factor", schedule.factor());
        o.put("warmup_learning_rate", schedule.warmupRate());
        o.put("warmup_until_error_below", schedule.warmupUntilErrorBelow());
        o.put("warmup_max_iterations", schedule.warmupMaxIterations());
        o.put("seed", seed);
        o.put("checkpoint_every", checkpointEvery);
        o.put("log_every", logEvery);
        o.put("eval_every", evalEvery);
        o.put("workers", workers);
        o.put("augment", augment);
        o.put("accumulate", tuning.accumulate());
        o.put("plateau_patience", tuning.plateauPatience());
        o.put("frozen_prefix", tuning.frozenPrefix());
        if (!Float.isNaN(tuning.headLearningRate())) {
            o.put("head_learning_rate", tuning.headLearningRate());
        }
        if (tuning.init() != null) {
            o.put("init", tuning.init());
        }
        o.put("new_head", tuning.newHead());
        return o;
    }

    public static TrainConfig fromJson(JsonNode o) {
        ResNetConfig m = io.resnet4j.io.ModelConfigJson.fromJson(o);
        List<Long> milestones = new ArrayList<>();
        o.get("milestones").forEach(n -> milestones.add(n.asLong()));
        LearningRateSchedule s = new LearningRateSchedule((float) o.get("learning_rate").asDouble(), milestones,
                (float) o.get("lr_factor").asDouble(), (float) o.get("warmup_learning_rate").asDouble(),
                o.get("warmup_until_error_below").asDouble(), o.get("warmup_max_iterations").asLong());
        return new TrainConfig(m, o.get("batch_size").asInt(), (float) o.get("momentum").asDouble(),
                (float) o.get("weight_decay").asDouble(), o.get("iterations").asLong(), s, o.get("seed").asLong(),
                o.get("checkpoint_every").asInt(), o.get("log_every").asInt(), o.get("eval_every").asInt(),
                o.get("workers").asInt(), o.get("augment").asBoolean(), tuningFromJson(o));
    }

    /** Runs written before these settings existed have none of the keys: the defaults are what they ran with. */
    private static Tuning tuningFromJson(JsonNode o) {
        return new Tuning(o.path("accumulate").asInt(1), o.path("plateau_patience").asInt(0),
                o.path("frozen_prefix").asInt(0),
                o.has("head_learning_rate") ? (float) o.get("head_learning_rate").asDouble() : Float.NaN,
                o.has("init") ? o.get("init").asText() : null, o.path("new_head").asBoolean(false));
    }
}
