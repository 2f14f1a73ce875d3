package io.resnet4j.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.resnet4j.model.ResNetConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * How a network is trained, as one named object: the paper's CIFAR recipe (section 4.2), its
 * ImageNet recipe (section 3.4) and resnet4j's recipe for fine-tuning trained weights. Every
 * hyperparameter of a run starts here; {@link TrainConfig#builder(Recipe)} changes what a run
 * needs changed and records the recipe whole in run.json.
 *
 * <p>A recipe carries its own budget. Its learning-rate drops are fractions of that budget, so
 * {@link #rescaled} compresses or stretches a recipe without moving its drops out of place: the
 * CIFAR drops at 32k and 48k of 64k stay at 50% and 75% of any budget; the ImageNet recipe has no
 * fixed drops at all, only its plateau rule.
 *
 * @param name what run.json calls the recipe ("cifar", "imagenet", "fine-tune")
 * @param batchSize images per SGD step
 * @param learningRate base learning rate (after any warm-up, before any drop)
 * @param momentum SGD momentum
 * @param weightDecay L2 weight decay, applied to every parameter
 * @param iterations the budget: SGD steps of the whole run
 * @param milestoneFractions where the rate drops, as fractions of the budget (increasing, in (0, 1))
 * @param lrFactor what the rate is multiplied by at each drop (milestone or plateau)
 * @param plateauPatience drop the rate when the validation error has not improved for this many
 *     validation passes; 0 = no plateau rule
 * @param warmup the low-rate start, or {@link Warmup#NONE}
 * @param augmentation how training images are augmented
 * @param checkpointEvery steps between checkpoints (one is also written at the end)
 * @param logEvery steps between metrics rows
 * @param evalEvery steps between validation passes; {@link #EACH_EPOCH} = once per epoch
 */
public record Recipe(String name, int batchSize, float learningRate, float momentum, float weightDecay,
        long iterations, List<Double> milestoneFractions, float lrFactor, int plateauPatience, Warmup warmup,
        Augmentation augmentation, int checkpointEvery, int logEvery, int evalEvery) {

    /** {@link #evalEvery} value meaning one validation pass per epoch, whatever the data's size. */
    public static final int EACH_EPOCH = 0;

    /** How training images are augmented; the data set implements the kind it is made for. */
    public enum Augmentation {
        /** CIFAR (section 4.2): pad 4 pixels, random 32x32 crop, random horizontal flip. */
        PAD_CROP_FLIP("4-pixel pad, random crop and flip"),
        /** ImageNet (section 3.4): shorter side random in [256, 480], random crop, flip, PCA lighting noise. */
        SCALE_CROP_FLIP_LIGHTING("shorter side random in 256-480, random crop, flip and lighting noise"),
        /** Whichever of the two the data is made for: fine-tuning keeps its data's usual augmentation. */
        DATA_DEFAULT("the data's usual augmentation"),
        /** The plain image (the centre view for image folders). */
        NONE("no augmentation");

        private final String description;

        Augmentation(String description) {
            this.description = description;
        }

        public String description() {
            return description;
        }

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Augmentation parse(String label) {
            return valueOf(label.toUpperCase(Locale.ROOT));
        }
    }

    /**
     * A start at a low learning rate until the training error first falls below a threshold.
     *
     * @param rate the warm-up learning rate; 0 = no warm-up
     * @param untilErrorBelow training error (a fraction, averaged over recent steps) that ends it
     * @param maxIterations it never lasts longer than this (a safety net for an error that stays high)
     * @param fromDepth it applies to networks of at least this many layers
     */
    public record Warmup(float rate, double untilErrorBelow, long maxIterations, int fromDepth) {

        public static final Warmup NONE = new Warmup(0, 0, 0, 0);

        public Warmup {
            if (rate < 0 || untilErrorBelow < 0 || maxIterations < 0 || fromDepth < 0) {
                throw new IllegalArgumentException("a warm-up needs non-negative values, got rate " + rate
                        + ", error " + untilErrorBelow + ", iterations " + maxIterations + ", depth " + fromDepth);
            }
        }

        /**
         * The paper's ResNet-110 rule: 0.01 until the training error is below 80% (about 400
         * iterations), then the base rate; the paper uses it for ResNet-110 and ResNet-1202 only.
         */
        public static Warmup paper() {
            return new Warmup(0.01f, 0.8, 2_000, 110);
        }

        /** The same condition at another rate, for networks of any depth (0 removes the warm-up). */
        public Warmup atRate(float newRate) {
            Warmup condition = untilErrorBelow > 0 ? this : paper();
            return newRate == 0 ? NONE : new Warmup(newRate, condition.untilErrorBelow, condition.maxIterations, 0);
        }

        public boolean appliesTo(ResNetConfig model) {
            return rate > 0 && model.spec().depth() >= fromDepth;
        }
    }

    public Recipe {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(warmup, "warmup: use Recipe.Warmup.NONE");
        Objects.requireNonNull(augmentation, "augmentation: use Recipe.Augmentation.NONE for none");
        milestoneFractions = List.copyOf(milestoneFractions);
        double previous = 0;
        for (double f : milestoneFractions) {
            if (f <= previous || f >= 1) {
                throw new IllegalArgumentException("milestone fractions must increase within (0, 1), got "
                        + milestoneFractions);
            }
            previous = f;
        }
        if (iterations < 1) {
            throw new IllegalArgumentException("a recipe's budget must be at least 1 iteration, got " + iterations);
        }
    }

    /**
     * The paper's CIFAR-10 recipe (section 4.2): batch 128, lr 0.1 divided by 10 at 32k and 48k
     * iterations, 64k iterations, momentum 0.9, weight decay 1e-4, the ResNet-110 warm-up, pad-4
     * crop and flip, a validation pass per epoch.
     */
    public static Recipe cifar() {
        return new Recipe("cifar", 128, 0.1f, 0.9f, 1e-4f, 64_000, List.of(0.5, 0.75), 0.1f, 0, Warmup.paper(),
                Augmentation.PAD_CROP_FLIP, 2_000, 50, EACH_EPOCH);
    }

    /**
     * The paper's ImageNet recipe (section 3.4): batch 256, lr 0.1 divided by 10 when the
     * validation error plateaus (here: 3 passes without improvement), up to 600k iterations,
     * momentum 0.9, weight decay 1e-4, no warm-up, scale augmentation with flip and lighting.
     */
    public static Recipe imagenet() {
        return new Recipe("imagenet", 256, 0.1f, 0.9f, 1e-4f, 600_000, List.of(), 0.1f, 3, Warmup.NONE,
                Augmentation.SCALE_CROP_FLIP_LIGHTING, 2_000, 50, EACH_EPOCH);
    }

    /**
     * Fine-tuning trained weights (not in the paper): the paper's optimiser at a tenth of its
     * learning rate, so the first steps do not wreck what the weights already know; batch 64,
     * 2,000 iterations with drops at 50% and 75%, no warm-up, the data's usual augmentation.
     */
    public static Recipe fineTune() {
        return new Recipe("fine-tune", 64, 0.01f, 0.9f, 1e-4f, 2_000, List.of(0.5, 0.75), 0.1f, 0, Warmup.NONE,
                Augmentation.DATA_DEFAULT, 500, 50, EACH_EPOCH);
    }

    /** The same recipe with another budget; its drops keep their place as fractions of the run. */
    public Recipe rescaled(long newIterations) {
        return new Recipe(name, batchSize, learningRate, momentum, weightDecay, newIterations, milestoneFractions,
                lrFactor, plateauPatience, warmup, augmentation, checkpointEvery, logEvery, evalEvery);
    }

    /**
     * The iterations at which the rate drops within this recipe's budget (64k: 32,000 and 48,000).
     * Very short budgets would repeat a drop or put one at 0; only distinct positive ones are kept.
     */
    public List<Long> milestones() {
        return milestoneFractions.stream().map(f -> (long) Math.floor(f * iterations)).filter(m -> m > 0)
                .distinct().toList();
    }

    /** One line for help texts and logs: every value of the recipe (no '%' sign, which help texts would format). */
    public String summary() {
        String drops = plateauPatience > 0
                ? "divided by " + inverse(lrFactor) + " when the validation error has not improved for "
                        + plateauPatience + " passes"
                : milestoneFractions.isEmpty() ? "constant"
                : "divided by " + inverse(lrFactor) + " at " + milestoneFractions.stream()
                        .map(f -> String.format(Locale.ROOT, "%.0f", 100 * f)).collect(Collectors.joining(" and "))
                        + " percent of the run";
        String warm = warmup.rate() == 0 ? ""
                : String.format(Locale.ROOT, "; warm-up at %s until the training error is below %.0f percent for %d+ layers",
                        number(warmup.rate()), 100 * warmup.untilErrorBelow(), warmup.fromDepth());
        return String.format(Locale.ROOT, "%,d iterations of batch %d, lr %s %s, momentum %s, weight decay %s%s; %s",
                iterations, batchSize, number(learningRate), drops, number(momentum), number(weightDecay), warm,
                augmentation.description());
    }

    private static String inverse(float factor) {
        return number(1 / factor);
    }

    /** 0.1 as "0.1", 10.0 as "10", 1.0E-4 as "1e-4": how the paper writes its numbers. */
    private static String number(float v) {
        String[] parts = Float.toString(v).split("E");
        String mantissa = parts[0].endsWith(".0") ? parts[0].substring(0, parts[0].length() - 2) : parts[0];
        return parts.length == 1 ? mantissa : mantissa + "e" + parts[1];
    }

    /** The recipe as recorded in run.json. */
    public ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("name", name);
        o.put("batch_size", batchSize);
        o.put("learning_rate", learningRate);
        o.put("momentum", momentum);
        o.put("weight_decay", weightDecay);
        o.put("iterations", iterations);
        milestoneFractions.forEach(o.putArray("milestone_fractions")::add);
        o.put("lr_factor", lrFactor);
        o.put("plateau_patience", plateauPatience);
        ObjectNode w = o.putObject("warmup");
        w.put("rate", warmup.rate());
        w.put("until_error_below", warmup.untilErrorBelow());
        w.put("max_iterations", warmup.maxIterations());
        w.put("from_depth", warmup.fromDepth());
        o.put("augmentation", augmentation.label());
        o.put("checkpoint_every", checkpointEvery);
        o.put("log_every", logEvery);
        o.put("eval_every", evalEvery);
        return o;
    }

    public static Recipe fromJson(JsonNode o) {
        List<Double> fractions = new ArrayList<>();
        o.get("milestone_fractions").forEach(n -> fractions.add(n.asDouble()));
        JsonNode w = o.get("warmup");
        Warmup warmup = new Warmup((float) w.get("rate").asDouble(), w.get("until_error_below").asDouble(),
                w.get("max_iterations").asLong(), w.get("from_depth").asInt());
        return new Recipe(o.get("name").asText(), o.get("batch_size").asInt(), (float) o.get("learning_rate").asDouble(),
                (float) o.get("momentum").asDouble(), (float) o.get("weight_decay").asDouble(),
                o.get("iterations").asLong(), fractions, (float) o.get("lr_factor").asDouble(),
                o.get("plateau_patience").asInt(), warmup, Augmentation.parse(o.get("augmentation").asText()),
                o.get("checkpoint_every").asInt(), o.get("log_every").asInt(), o.get("eval_every").asInt());
    }
}
