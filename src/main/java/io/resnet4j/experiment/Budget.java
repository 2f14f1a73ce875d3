package io.resnet4j.experiment;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.resnet4j.model.ResNetConfig;
import io.resnet4j.train.LearningRateSchedule;
import io.resnet4j.train.TrainConfig;

/**
 * How long each member trains: the paper's full schedule (64k iterations, lr /10 at 32k and 48k),
 * a number of epochs with the schedule compressed proportionally (milestones at 50% and 75%), or
 * a number of iterations with the same proportions (for smoke tests and tight CPU budgets).
 * Exactly one is set.
 */
public record Budget(Integer epochs, Long iterations, boolean full, int batchSize, long seed, int workers,
        Float warmupLr) {

    /** A budget with the paper's warm-up rule (0.01 until 80% training error, only for 110+ layers). */
    public Budget(Integer epochs, Long iterations, boolean full, int batchSize, long seed, int workers) {
        this(epochs, iterations, full, batchSize, seed, workers, null);
    }

    public Budget {
        int given = (epochs != null ? 1 : 0) + (iterations != null ? 1 : 0) + (full ? 1 : 0);
        if (given != 1) {
            throw new ExperimentException("give exactly one budget: --epochs N (the paper's schedule compressed),"
                    + " --iterations N, or --full (the paper's 64k iterations)");
        }
        if (epochs != null && epochs < 1 || iterations != null && iterations < 1) {
            throw new ExperimentException("--epochs and --iterations must be at least 1");
        }
        if (batchSize < 1 || workers < 1) {
            throw new ExperimentException("--batch-size and --workers must be at least 1");
        }
        if (warmupLr != null && (warmupLr < 0 || warmupLr >= 0.1f)) {
            throw new ExperimentException("--warmup-lr must be in [0, 0.1) (0 disables the warm-up), got " + warmupLr);
        }
    }

    /** The training configuration of one member on a training split of {@code trainImages}. */
    public TrainConfig config(ResNetConfig model, int trainImages) {
        int perEpoch = trainImages / batchSize;
        if (perEpoch < 1) {
            throw new ExperimentException("--batch-size " + batchSize + " is larger than the " + trainImages
                    + " training images");
        }
        TrainConfig c;
        if (full) {
            c = TrainConfig.paper(model, perEpoch);
        } else if (epochs != null) {
            c = TrainConfig.epochs(model, epochs, perEpoch);
        } else {
            TrainConfig base = TrainConfig.epochs(model, 1, perEpoch);
            c = new TrainConfig(model, base.batchSize(), base.momentum(), base.weightDecay(), iterations,
                    base.schedule().withMilestones(LearningRateSchedule.proportionalMilestones(iterations)),
                    base.seed(), base.checkpointEvery(), base.logEvery(), base.evalEvery(), base.workers(),
                    base.augment());
        }
        if (warmupLr != null) {
            // One warm-up rule for every member, so that nets of different depth share one recipe.
            c = c.withSchedule(c.schedule().withWarmup(warmupLr));
        }
        long total = c.iterations();
        // Short budgets log and validate more often than the defaults (every 50 steps, every epoch) so
        // their curves still have points; evaluations are capped at about 8 per epoch-sized stretch.
        int log = (int) Math.max(1, Math.min(50, total / 40));
        int eval = (int) Math.max(1, Math.min(perEpoch, Math.max(total / 8, 1)));
        int checkpoint = (int) Math.min(2_000, total);
        return c.withBatchSize(batchSize).withSeed(seed).withWorkers(workers).withIntervals(checkpoint, log, eval);
    }

    /** The "budget" object of the experiment's run.json. */
    public ObjectNode toJson(ObjectNode o) {
        o.put("kind", full ? "full" : epochs != null ? "epochs" : "iterations");
        if (epochs != null) {
            o.put("epochs", epochs);
        }
        if (iterations != null) {
            o.put("iterations", iterations);
        }
        if (full) {
            o.put("iterations", 64_000);
        }
        o.put("batch_size", batchSize);
        if (warmupLr != null) {
            o.put("warmup_lr", warmupLr);
        }
        o.put("seed", seed);
        return o;
    }
}
