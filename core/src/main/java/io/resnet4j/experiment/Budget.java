package io.resnet4j.experiment;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.resnet4j.model.ResNetConfig;
import io.resnet4j.train.Recipe;
import io.resnet4j.train.TrainConfig;

/**
 * How long each member trains with the paper's CIFAR recipe ({@link Recipe#cifar()}): its full
 * budget, a number of epochs, or a number of iterations (for smoke tests and tight CPU budgets),
 * the recipe's learning-rate drops rescaled to it. Exactly one is set.
 */
public record Budget(Integer epochs, Long iterations, boolean full, int batchSize, long seed, int workers,
        Float warmupLr) {

    /** A budget with the recipe's warm-up rule (0.01 until 80% training error, only for 110+ layers). */
    public Budget(Integer epochs, Long iterations, boolean full, int batchSize, long seed, int workers) {
        this(epochs, iterations, full, batchSize, seed, workers, null);
    }

    public Budget {
        int given = (epochs != null ? 1 : 0) + (iterations != null ? 1 : 0) + (full ? 1 : 0);
        if (given != 1) {
            throw new ExperimentException("give exactly one budget: --epochs N (the paper's schedule compressed),"
                    + " --iterations N, or --full (the paper's " + Recipe.cifar().iterations() + " iterations)");
        }
        if (epochs != null && epochs < 1 || iterations != null && iterations < 1) {
            throw new ExperimentException("--epochs and --iterations must be at least 1");
        }
        if (batchSize < 1 || workers < 1) {
            throw new ExperimentException("--batch-size and --workers must be at least 1");
        }
        float base = Recipe.cifar().learningRate();
        if (warmupLr != null && (warmupLr < 0 || warmupLr >= base)) {
            throw new ExperimentException("--warmup-lr must be in [0, " + base + ") (0 disables the warm-up), got "
                    + warmupLr);
        }
    }

    /** The training configuration of one member on a training split of {@code trainImages}. */
    public TrainConfig config(ResNetConfig model, int trainImages) {
        int perEpoch = trainImages / batchSize;
        if (perEpoch < 1) {
            throw new ExperimentException("--batch-size " + batchSize + " is larger than the " + trainImages
                    + " training images");
        }
        Recipe recipe = Recipe.cifar();
        TrainConfig.Builder b = TrainConfig.builder(recipe).model(model).trainImages(trainImages).batchSize(batchSize)
                .seed(seed).workers(workers);
        if (epochs != null) {
            b.epochs(epochs);
        } else if (iterations != null) {
            b.iterations(iterations);
        }
        if (warmupLr != null) {
            // One warm-up rule for every member, so that nets of different depth share one recipe.
            b.warmup(warmupLr);
        }
        long total = b.build().iterations();
        // Short budgets log and validate more often than the recipe (every 50 steps, every epoch) so
        // their curves still have points; evaluations are capped at about 8 per epoch-sized stretch.
        int log = (int) Math.max(1, Math.min(recipe.logEvery(), total / 40));
        int eval = (int) Math.max(1, Math.min(perEpoch, Math.max(total / 8, 1)));
        int checkpoint = (int) Math.min(recipe.checkpointEvery(), total);
        return b.logEvery(log).evalEvery(eval).checkpointEvery(checkpoint).build();
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
            o.put("iterations", Recipe.cifar().iterations());
        }
        o.put("batch_size", batchSize);
        if (warmupLr != null) {
            o.put("warmup_lr", warmupLr);
        }
        o.put("seed", seed);
        return o;
    }
}
