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
 * @param augment pad-4 random crop and horizontal flip (the paper's augmentation)
 */
public record TrainConfig(
        ResNetConfig model, int batchSize, float momentum, float weightDecay, long iterations,
        LearningRateSchedule schedule, long seed, int checkpointEvery, int logEvery, int evalEvery, int workers,
        boolean augment) {

    /** Depth from which the paper warms up at 0.01 (it does so for ResNet-110 and ResNet-1202). */
    public static final int WARMUP_DEPTH = 110;

    public TrainConfig {
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
        LearningRateSchedule schedule = new LearningRateSchedule(0.1f, milestones, 0.1f, warmup ? 0.01f : 0f, 0.8,
                warmup ? 2_000 : 0);
        return new TrainConfig(model, 128, 0.9f, 1e-4f, total, schedule, 42, 2_000, 50,
                Math.max(1, batchesPerEpoch), 2, true);
    }

    public TrainConfig withBatchSize(int b) {
        return new TrainConfig(model, b, momentum, weightDecay, iterations, schedule, seed, checkpointEvery, logEvery, evalEvery, workers, augment);
    }

    public TrainConfig withSchedule(LearningRateSchedule s) {
        return new TrainConfig(model, batchSize, momentum, weightDecay, iterations, s, seed, checkpointEvery, logEvery, evalEvery, workers, augment);
    }

    public TrainConfig withOptimizer(float m, float wd) {
        return new TrainConfig(model, batchSize, m, wd, iterations, schedule, seed, checkpointEvery, logEvery, evalEvery, workers, augment);
    }

    public TrainConfig withSeed(long s) {
        return new TrainConfig(model, batchSize, momentum, weightDecay, iterations, schedule, s, checkpointEvery, logEvery, evalEvery, workers, augment);
    }

    public TrainConfig withIntervals(int checkpoint, int log, int eval) {
        return new TrainConfig(model, batchSize, momentum, weightDecay, iterations, schedule, seed, checkpoint, log, eval, workers, augment);
    }

    public TrainConfig withWorkers(int w) {
        return new TrainConfig(model, batchSize, momentum, weightDecay, iterations, schedule, seed, checkpointEvery, logEvery, evalEvery, w, augment);
    }

    public TrainConfig withAugment(boolean a) {
        return new TrainConfig(model, batchSize, momentum, weightDecay, iterations, schedule, seed, checkpointEvery, logEvery, evalEvery, workers, a);
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
                o.get("workers").asInt(), o.get("augment").asBoolean());
    }
}
