package io.resnet4j.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.resnet4j.io.ModelConfigJson;
import io.resnet4j.model.ResNetConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Everything a training run needs besides its data: the model and every hyperparameter, seed and
 * cadence. Built from a {@link Recipe}, which gives every value the run does not set itself:
 *
 * <pre>{@code
 * TrainConfig config = TrainConfig.builder(Recipe.cifar()).model(ResNetConfig.of("resnet56"))
 *         .trainImages(45_000).epochs(30).build();   // the 64k schedule compressed to 30 epochs
 * }</pre>
 *
 * <p>The same object is the run's record: {@link #toJson} writes it into run.json (the recipe
 * included) and {@link #fromJson} reads it back, also from run.json files written before recipes
 * had names, so a run resumes from its folder alone. Invalid values fail in {@link Builder#build}
 * with an {@link InvalidConfigException} naming the builder parameter.
 */
public final class TrainConfig {

    /** Seed of initialisation, data order and augmentation when none is given. */
    public static final long DEFAULT_SEED = 42;
    /** Data-preparation threads when none are given. */
    public static final int DEFAULT_WORKERS = 2;
    /** Wall-clock minutes between checkpoints when none are given: what a SIGKILL can cost at most. */
    public static final int DEFAULT_CHECKPOINT_MINUTES = 10;
    /** Complete checkpoints a run folder keeps when no number is given (older ones are deleted). */
    public static final int DEFAULT_KEEP_CHECKPOINTS = 3;

    /**
     * The run.json "config" keys a resumed run may change: its budget and the cadences of its
     * checkpoints, metrics and data threads. Every other value decides what the network learns, so
     * a resumed run keeps the recorded one.
     */
    public static final Set<String> CHANGEABLE_ON_RESUME = Set.of("iterations", "checkpoint_every",
            "checkpoint_minutes", "keep_checkpoints", "log_every", "workers");

    private final Recipe recipe;
    private final ResNetConfig model;
    private final int batchSize;
    private final float momentum;
    private final float weightDecay;
    private final long iterations;
    private final LearningRateSchedule schedule;
    private final int plateauPatience;
    private final long seed;
    private final int checkpointEvery;
    private final double checkpointMinutes;
    private final int keepCheckpoints;
    private final int logEvery;
    private final int evalEvery;
    private final int workers;
    private final Recipe.Augmentation augmentation;
    private final int accumulate;
    private final int frozenPrefix;
    private final float headLearningRate;
    private final String init;
    private final boolean newHead;

    private TrainConfig(Builder b) {
        recipe = b.recipe;
        model = b.model;
        batchSize = b.fromRecipe(b.batchSize, Recipe::batchSize, "batchSize");
        iterations = b.resolveIterations(batchSize);
        schedule = b.resolveSchedule(iterations);
        momentum = b.fromRecipe(b.momentum, Recipe::momentum, "momentum");
        weightDecay = b.fromRecipe(b.weightDecay, Recipe::weightDecay, "weightDecay");
        plateauPatience = b.resolvePlateauPatience();
        seed = b.seed;
        checkpointEvery = b.fromRecipe(b.checkpointEvery, Recipe::checkpointEvery, "checkpointEvery");
        checkpointMinutes = b.checkpointMinutes;
        keepCheckpoints = b.keepCheckpoints;
        logEvery = b.fromRecipe(b.logEvery, Recipe::logEvery, "logEvery");
        evalEvery = b.resolveEvalEvery(batchSize);
        workers = b.workers;
        augmentation = b.fromRecipe(b.augmentation, Recipe::augmentation, "augmentation");
        accumulate = b.accumulate;
        frozenPrefix = b.frozenPrefix;
        headLearningRate = b.headLearningRate;
        init = b.init;
        newHead = b.newHead;
        validate();
    }

    /** A builder whose every value is the recipe's until set. */
    public static Builder builder(Recipe recipe) {
        return new Builder(Objects.requireNonNull(recipe, "recipe: use Recipe.cifar(), Recipe.imagenet() or"
                + " Recipe.fineTune()"));
    }

    /** A builder holding exactly this configuration, to change some of it. */
    public Builder toBuilder() {
        return new Builder(recipe).model(model).batchSize(batchSize).momentum(momentum).weightDecay(weightDecay)
                .iterations(iterations).schedule(schedule).plateauPatience(plateauPatience).seed(seed)
                .checkpointEvery(checkpointEvery).checkpointMinutes(checkpointMinutes).keepCheckpoints(keepCheckpoints)
                .logEvery(logEvery).evalEvery(evalEvery).workers(workers)
                .augmentation(augmentation).accumulate(accumulate).frozenPrefix(frozenPrefix)
                .headLearningRate(headLearningRate).initFrom(init, newHead);
    }

    private void validate() {
        check(batchSize >= 1, "batchSize", "batch size " + batchSize + " must be at least 1");
        check(iterations >= 1, "iterations", "iterations " + iterations + " must be at least 1");
        check(momentum >= 0 && momentum < 1, "momentum", "momentum " + momentum + " must be in [0, 1)");
        check(weightDecay >= 0, "weightDecay", "weight decay " + weightDecay + " must be at least 0");
        check(plateauPatience >= 0, "plateauPatience", "plateau patience " + plateauPatience + " must be at least 0");
        check(checkpointEvery >= 1, "checkpointEvery", "checkpoint interval " + checkpointEvery + " must be at least 1");
        check(checkpointMinutes >= 0, "checkpointMinutes", "checkpoint minutes " + checkpointMinutes
                + " must be at least 0 (0: no checkpoints by time)");
        check(keepCheckpoints >= 1, "keepCheckpoints", "checkpoints kept " + keepCheckpoints + " must be at least 1");
        check(logEvery >= 1, "logEvery", "log interval " + logEvery + " must be at least 1");
        check(evalEvery >= 0, "evalEvery", "evaluation interval " + evalEvery
                + " must be at least 1 (or 0: once per epoch)");
        check(workers >= 1, "workers", "workers " + workers + " must be at least 1");
        check(accumulate >= 1, "accumulate", "accumulation " + accumulate + " must be at least 1 micro-batch");
        check(batchSize % accumulate == 0, "accumulate", "batch size " + batchSize + " does not split into "
                + accumulate + " equal micro-batches; choose a batch size divisible by " + accumulate);
        int layers = model.spec().stages() + 1;
        check(frozenPrefix >= 0 && frozenPrefix <= layers, "frozenPrefix", "frozen prefix " + frozenPrefix
                + " must be between 0 and " + layers + " (the stem and " + model.spec().stages() + " stages of "
                + model.spec().name() + ")");
        check(Float.isNaN(headLearningRate) || headLearningRate >= 0, "headLearningRate",
                "classifier learning rate " + headLearningRate + " must be at least 0");
    }

    static void check(boolean ok, String parameter, String message) {
        if (!ok) {
            throw new InvalidConfigException(parameter, message);
        }
    }

    /** The recipe the run started from; null for runs recorded before recipes had names. */
    public Recipe recipe() {
        return recipe;
    }

    public ResNetConfig model() {
        return model;
    }

    public int batchSize() {
        return batchSize;
    }

    public float momentum() {
        return momentum;
    }

    public float weightDecay() {
        return weightDecay;
    }

    /** Total SGD steps of the run. */
    public long iterations() {
        return iterations;
    }

    public LearningRateSchedule schedule() {
        return schedule;
    }

    /** Validation passes without improvement after which the rate drops by the schedule's factor; 0 = never. */
    public int plateauPatience() {
        return plateauPatience;
    }

    public long seed() {
        return seed;
    }

    public int checkpointEvery() {
        return checkpointEvery;
    }

    /** Wall-clock minutes after which a checkpoint is written whatever the iteration; 0 = only by iterations. */
    public double checkpointMinutes() {
        return checkpointMinutes;
    }

    /** The newest complete checkpoints a run folder keeps; older ones are deleted. */
    public int keepCheckpoints() {
        return keepCheckpoints;
    }

    public int logEvery() {
        return logEvery;
    }

    /** Steps between validation passes; {@link Recipe#EACH_EPOCH} = once per epoch of the data trained on. */
    public int evalEvery() {
        return evalEvery;
    }

    public int workers() {
        return workers;
    }

    public Recipe.Augmentation augmentation() {
        return augmentation;
    }

    /** Micro-batches per SGD step whose gradients add up (for batches that do not fit in memory). */
    public int accumulate() {
        return accumulate;
    }

    /** Leading layers kept fixed, BN statistics included (see {@link io.resnet4j.model.ResNet#setFrozenPrefix}). */
    public int frozenPrefix() {
        return frozenPrefix;
    }

    /** The classifier's own base learning rate, following the schedule; NaN = the same as every other layer. */
    public float headLearningRate() {
        return headLearningRate;
    }

    /** Weights a network built from this configuration starts from, or null. */
    public String init() {
        return init;
    }

    /** Whether {@link #init()}'s classifier is replaced by a freshly initialised one. */
    public boolean newHead() {
        return newHead;
    }

    /** The run.json "config" object: the model's fields, every hyperparameter and the recipe. */
    public ObjectNode toJson() {
        ObjectNode o = ModelConfigJson.toJson(model);
        o.put("batch_size", batchSize);
        o.put("momentum", momentum);
        o.put("weight_decay", weightDecay);
        o.put("iterations", iterations);
        o.put("learning_rate", schedule.baseRate());
        schedule.milestones().forEach(o.putArray("milestones")::add);
        o.put("lr_factor", schedule.factor());
        o.put("warmup_learning_rate", schedule.warmupRate());
        o.put("warmup_until_error_below", schedule.warmupUntilErrorBelow());
        o.put("warmup_max_iterations", schedule.warmupMaxIterations());
        o.put("seed", seed);
        o.put("checkpoint_every", checkpointEvery);
        o.put("checkpoint_minutes", checkpointMinutes);
        o.put("keep_checkpoints", keepCheckpoints);
        o.put("log_every", logEvery);
        o.put("eval_every", evalEvery);
        o.put("workers", workers);
        o.put("augment", augmentation != Recipe.Augmentation.NONE);
        o.put("augmentation", augmentation.label());
        o.put("accumulate", accumulate);
        o.put("plateau_patience", plateauPatience);
        o.put("frozen_prefix", frozenPrefix);
        if (!Float.isNaN(headLearningRate)) {
            o.put("head_learning_rate", headLearningRate);
        }
        if (init != null) {
            o.put("init", init);
        }
        o.put("new_head", newHead);
        if (recipe != null) {
            o.set("recipe", recipe.toJson());
        }
        return o;
    }

    /**
     * Reads a run.json "config" object. Keys that earlier versions did not write get the values
     * those runs had: no accumulation, plateau rule or fine-tuning; "augment" for the augmentation;
     * every checkpoint kept (and the default time cadence from now on).
     */
    public static TrainConfig fromJson(JsonNode o) {
        List<Long> milestones = new ArrayList<>();
        o.get("milestones").forEach(n -> milestones.add(n.asLong()));
        LearningRateSchedule schedule = new LearningRateSchedule((float) o.get("learning_rate").asDouble(), milestones,
                (float) o.get("lr_factor").asDouble(), (float) o.get("warmup_learning_rate").asDouble(),
                o.get("warmup_until_error_below").asDouble(), o.get("warmup_max_iterations").asLong());
        Recipe recipe = o.has("recipe") ? Recipe.fromJson(o.get("recipe")) : null;
        return new Builder(recipe).model(ModelConfigJson.fromJson(o)).batchSize(o.get("batch_size").asInt())
                .momentum((float) o.get("momentum").asDouble()).weightDecay((float) o.get("weight_decay").asDouble())
                .iterations(o.get("iterations").asLong()).schedule(schedule).seed(o.get("seed").asLong())
                .checkpointEvery(o.get("checkpoint_every").asInt())
                .checkpointMinutes(o.path("checkpoint_minutes").asDouble(DEFAULT_CHECKPOINT_MINUTES))
                .keepCheckpoints(o.path("keep_checkpoints").asInt(Integer.MAX_VALUE))
                .logEvery(o.get("log_every").asInt())
                .evalEvery(o.get("eval_every").asInt()).workers(o.get("workers").asInt())
                .augmentation(augmentationFromJson(o)).accumulate(o.path("accumulate").asInt(1))
                .plateauPatience(o.path("plateau_patience").asInt(0)).frozenPrefix(o.path("frozen_prefix").asInt(0))
                .headLearningRate(o.has("head_learning_rate") ? (float) o.get("head_learning_rate").asDouble() : Float.NaN)
                .initFrom(o.has("init") ? o.get("init").asText() : null, o.path("new_head").asBoolean(false))
                .build();
    }

    /** Runs recorded before the augmentation had a kind augmented with their data's usual one, or not at all. */
    private static Recipe.Augmentation augmentationFromJson(JsonNode o) {
        if (o.has("augmentation")) {
            return Recipe.Augmentation.parse(o.get("augmentation").asText());
        }
        return o.get("augment").asBoolean() ? Recipe.Augmentation.DATA_DEFAULT : Recipe.Augmentation.NONE;
    }

    /** The run.json "config" keys whose values differ between this configuration and {@code other}. */
    public Set<String> differingKeys(TrainConfig other) {
        ObjectNode mine = toJson();
        ObjectNode theirs = other.toJson();
        Set<String> keys = new TreeSet<>();
        mine.fieldNames().forEachRemaining(keys::add);
        theirs.fieldNames().forEachRemaining(keys::add);
        keys.removeIf(k -> Objects.equals(mine.get(k), theirs.get(k)));
        return keys;
    }

    /**
     * Checks that {@code resumed}, this recorded configuration as a resumed run would use it, changes
     * only what a resumption may ({@link #CHANGEABLE_ON_RESUME}).
     *
     * @throws InvalidConfigException naming the values that may not change
     */
    public void requireResumableAs(TrainConfig resumed) {
        Set<String> fixed = new TreeSet<>(differingKeys(resumed));
        fixed.removeAll(CHANGEABLE_ON_RESUME);
        check(fixed.isEmpty(), "resume", "a resumed run keeps its recorded " + String.join(", ", fixed)
                + "; start a new run to change them");
    }

    /** A budget of whole epochs of {@code trainImages} images, in steps of this configuration's batch size. */
    public long iterationsForEpochs(int epochs, int trainImages) {
        return (long) epochs * (trainImages / batchSize);
    }

    /** Two configurations are equal when they would record the same run.json "config". */
    @Override
    public boolean equals(Object other) {
        return other instanceof TrainConfig c && toJson().equals(c.toJson());
    }

    @Override
    public int hashCode() {
        return toJson().hashCode();
    }

    @Override
    public String toString() {
        return "TrainConfig" + toJson();
    }

    /**
     * Sets what a run changes from its recipe. Unset values are the recipe's; the budget can be
     * given in iterations or in epochs (with {@link #trainImages}); the recipe's drops are then
     * rescaled to it unless {@link #milestones} or a whole {@link #schedule} is given.
     */
    public static final class Builder {
        private final Recipe recipe;
        private ResNetConfig model;
        private Integer batchSize;
        private Float learningRate;
        private Float momentum;
        private Float weightDecay;
        private Long iterations;
        private Integer epochs;
        private Integer trainImages;
        private List<Long> milestones;
        private Float warmupRate;
        private LearningRateSchedule schedule;
        private Integer plateauPatience;
        private long seed = DEFAULT_SEED;
        private Integer checkpointEvery;
        private double checkpointMinutes = DEFAULT_CHECKPOINT_MINUTES;
        private int keepCheckpoints = DEFAULT_KEEP_CHECKPOINTS;
        private Integer logEvery;
        private Integer evalEvery;
        private int workers = DEFAULT_WORKERS;
        private Recipe.Augmentation augmentation;
        private int accumulate = 1;
        private int frozenPrefix;
        private float headLearningRate = Float.NaN;
        private String init;
        private boolean newHead;

        private Builder(Recipe recipe) {
            this.recipe = recipe;
        }

        /** The network to train (required): its architecture, classes and input size. */
        public Builder model(ResNetConfig m) {
            model = m;
            return this;
        }

        public Builder batchSize(int n) {
            batchSize = n;
            return this;
        }

        /** The base learning rate (after any warm-up). */
        public Builder learningRate(float lr) {
            learningRate = lr;
            return this;
        }

        public Builder momentum(float m) {
            momentum = m;
            return this;
        }

        public Builder weightDecay(float wd) {
            weightDecay = wd;
            return this;
        }

        /** The budget in SGD steps; the recipe's drops keep their fractions of it. */
        public Builder iterations(long n) {
            iterations = n;
            return this;
        }

        /** The budget in epochs of {@link #trainImages} images (the last partial batch of an epoch is dropped). */
        public Builder epochs(int n) {
            epochs = n;
            return this;
        }

        /**
         * The training set's size: needed by {@link #epochs}, and turns the recipe's once-per-epoch
         * validation into a number of steps recorded in run.json.
         */
        public Builder trainImages(int n) {
            trainImages = n;
            return this;
        }

        /** Iterations at which the rate drops, replacing the recipe's drops and (unless set) its plateau rule. */
        public Builder milestones(List<Long> m) {
            milestones = List.copyOf(m);
            return this;
        }

        /** Warm up at this rate, with the recipe's (or the paper's) condition, whatever the depth; 0 = none. */
        public Builder warmup(float rate) {
            warmupRate = rate;
            return this;
        }

        /** The whole learning-rate schedule, replacing the recipe's rate, drops and warm-up. */
        public Builder schedule(LearningRateSchedule s) {
            schedule = s;
            return this;
        }

        public Builder plateauPatience(int passes) {
            plateauPatience = passes;
            return this;
        }

        public Builder seed(long s) {
            seed = s;
            return this;
        }

        public Builder checkpointEvery(int steps) {
            checkpointEvery = steps;
            return this;
        }

        /** Also checkpoint when this many minutes have passed since the last checkpoint (0: only by iterations). */
        public Builder checkpointMinutes(double minutes) {
            checkpointMinutes = minutes;
            return this;
        }

        /** Keep the newest {@code k} complete checkpoints, deleting older ones. */
        public Builder keepCheckpoints(int k) {
            keepCheckpoints = k;
            return this;
        }

        public Builder logEvery(int steps) {
            logEvery = steps;
            return this;
        }

        /** Steps between validation passes; {@link Recipe#EACH_EPOCH} = once per epoch. */
        public Builder evalEvery(int steps) {
            evalEvery = steps;
            return this;
        }

        public Builder workers(int n) {
            workers = n;
            return this;
        }

        public Builder augmentation(Recipe.Augmentation a) {
            augmentation = Objects.requireNonNull(a, "augmentation: use Recipe.Augmentation.NONE for none");
            return this;
        }

        public Builder accumulate(int microBatches) {
            accumulate = microBatches;
            return this;
        }

        public Builder frozenPrefix(int layers) {
            frozenPrefix = layers;
            return this;
        }

        /** The classifier's own base learning rate (NaN: the same as the rest). */
        public Builder headLearningRate(float lr) {
            headLearningRate = lr;
            return this;
        }

        /**
         * Weights a network built from this configuration starts from (a resnet4j checkpoint, a
         * torchvision .pth or .safetensors file, or "torchvision:NAME").
         *
         * @param weights the weights, or null for a fresh initialisation
         * @param replaceHead keep the new network's freshly initialised classifier instead of the weights'
         */
        public Builder initFrom(String weights, boolean replaceHead) {
            init = weights;
            newHead = replaceHead;
            return this;
        }

        /** @throws InvalidConfigException naming the parameter whose value cannot work */
        public TrainConfig build() {
            check(model != null, "model", "the model is not set; give one, e.g. ResNetConfig.of(\"resnet20\")");
            return new TrainConfig(this);
        }

        private <T> T fromRecipe(T explicit, Function<Recipe, T> ofRecipe, String parameter) {
            if (explicit != null) {
                return explicit;
            }
            check(recipe != null, parameter, parameter + " is not set and there is no recipe to take it from");
            return ofRecipe.apply(recipe);
        }

        private long resolveIterations(int batch) {
            check(epochs == null || iterations == null, "iterations", "give the budget as epochs or as iterations,"
                    + " not both");
            if (epochs == null) {
                return fromRecipe(iterations, Recipe::iterations, "iterations");
            }
            check(epochs >= 1, "epochs", "epochs " + epochs + " must be at least 1");
            return (long) epochs * batchesPerEpoch(batch);
        }

        private int batchesPerEpoch(int batch) {
            check(trainImages != null, "epochs", "a budget in epochs needs the training set's size (trainImages)");
            check(batch >= 1, "batchSize", "batch size " + batch + " must be at least 1");
            check(trainImages >= batch, "batchSize", "batch size " + batch + " is larger than the " + trainImages
                    + " training images");
            return trainImages / batch;
        }

        private LearningRateSchedule resolveSchedule(long total) {
            if (schedule != null) {
                return schedule;
            }
            check(recipe != null, "schedule", "the schedule is not set and there is no recipe to take it from");
            Recipe budget = recipe.rescaled(total);
            float lr = learningRate != null ? learningRate : recipe.learningRate();
            check(lr > 0, "learningRate", "learning rate " + lr + " must be positive");
            List<Long> drops = milestones != null ? milestones : budget.milestones();
            check(drops.stream().allMatch(m -> m >= 1), "milestones", "milestones " + drops + " must be positive");
            check(drops.equals(drops.stream().distinct().sorted().toList()), "milestones",
                    "milestones " + drops + " must increase");
            check(warmupRate == null || warmupRate >= 0, "warmup", "warm-up rate " + warmupRate
                    + " must be at least 0 (0: no warm-up)");
            Recipe.Warmup warmup = warmupRate != null ? recipe.warmup().atRate(warmupRate)
                    : recipe.warmup().appliesTo(model) ? recipe.warmup() : Recipe.Warmup.NONE;
            return new LearningRateSchedule(lr, drops, recipe.lrFactor(), 0, 0, 0).withWarmup(warmup);
        }

        /** Fixed drops that replace the recipe's also replace its plateau rule, unless that is set too. */
        private int resolvePlateauPatience() {
            if (plateauPatience != null) {
                return plateauPatience;
            }
            return milestones != null ? 0 : fromRecipe(null, Recipe::plateauPatience, "plateauPatience");
        }

        private int resolveEvalEvery(int batch) {
            int steps = fromRecipe(evalEvery, Recipe::evalEvery, "evalEvery");
            boolean resolvable = steps == Recipe.EACH_EPOCH && trainImages != null && trainImages >= batch;
            return resolvable ? batchesPerEpoch(batch) : steps;
        }
    }
}
