package io.resnet4j.cli;

import io.resnet4j.image.ImageLoader;
import io.resnet4j.image.Preprocessing;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * The valid range of every numeric option, in one table and checked before any command runs, so
 * {@code --batch-size 0} is "must be at least 1", never a division by zero deep inside.
 */
final class OptionRanges {

    /** Inclusive bounds; {@code exclusiveMin} for values that must be strictly positive. */
    record Range(double min, boolean exclusiveMin, double max) {
        static Range atLeast(double min) {
            return new Range(min, false, Double.MAX_VALUE);
        }

        static Range positive() {
            return new Range(0, true, Double.MAX_VALUE);
        }

        static Range between(double min, double max) {
            return new Range(min, false, max);
        }

        /** For numbers whose valid values are not a range: checked where the set of valid values lives. */
        static Range any() {
            return new Range(-Double.MAX_VALUE, false, Double.MAX_VALUE);
        }

        boolean contains(double v) {
            return (exclusiveMin ? v > min : v >= min) && v <= max && !Double.isNaN(v);
        }

        String describe() {
            if (max == Double.MAX_VALUE) {
                return exclusiveMin ? "must be greater than " + number(min) : "must be at least " + number(min);
            }
            return "must be between " + number(min) + " and " + number(max);
        }
    }

    /** Image sides are bounded so that a batch's floats never overflow an int index. */
    private static final int MAX_SIDE = Preprocessing.MAX_SIDE;

    private static final Map<String, Range> RANGES = Map.ofEntries(
            Map.entry("--batch-size", Range.atLeast(1)),
            Map.entry("export --batch-size", Range.atLeast(0)),
            Map.entry("--top", Range.atLeast(1)),
            Map.entry("--threads", Range.atLeast(1)),
            Map.entry("--workers", Range.atLeast(1)),
            Map.entry("--epochs", Range.atLeast(1)),
            Map.entry("--iterations", Range.atLeast(1)),
            Map.entry("--stop-after", Range.atLeast(1)),
            Map.entry("--steps", Range.atLeast(1)),
            Map.entry("--warmup", Range.atLeast(0)),
            Map.entry("--resize", Range.between(0, MAX_SIDE)),
            Map.entry("--crop", Range.between(1, MAX_SIDE)),
            Map.entry("--input", Range.between(8, MAX_SIDE)),
            Map.entry("--num-classes", Range.atLeast(1)),
            Map.entry("--classes", Range.atLeast(1)),
            Map.entry("--accumulate", Range.atLeast(1)),
            Map.entry("--checkpoint-every", Range.atLeast(1)),
            Map.entry("--checkpoint-minutes", Range.atLeast(0)),
            Map.entry("--keep", Range.atLeast(1)),
            Map.entry("--grace-seconds", Range.atLeast(1)),
            Map.entry("--log-every", Range.atLeast(1)),
            Map.entry("--eval-every", Range.atLeast(1)),
            Map.entry("--plateau-patience", Range.atLeast(0)),
            Map.entry("--calibration-images", Range.atLeast(1)),
            Map.entry("--val-subset", Range.atLeast(1)),
            Map.entry("--train-subset", Range.atLeast(1)),
            Map.entry("--lr", Range.positive()),
            Map.entry("--head-lr", Range.atLeast(0)),
            Map.entry("--warmup-lr", Range.atLeast(0)),
            Map.entry("--momentum", Range.between(0, 1)),
            Map.entry("--weight-decay", Range.atLeast(0)),
            Map.entry("--percentile", new Range(50, true, 100)),
            Map.entry("sample --side", Range.between(64, 1024)),
            Map.entry("--train-images", Range.atLeast(0)),
            Map.entry("--val-images", Range.atLeast(0)),
            Map.entry("--max-objects", Range.between(1, 20)),
            Map.entry("--milestones", Range.atLeast(1)),
            Map.entry("--scales", Range.between(1, MAX_SIDE)),
            Map.entry("--max-pixels", Range.between(1, ImageLoader.MAX_PIXELS_LIMIT)),
            Map.entry("--max-batch", Range.atLeast(1)),
            Map.entry("--queue", Range.atLeast(1)),
            Map.entry("--max-delay-ms", Range.atLeast(0)),
            Map.entry("--deadline-ms", Range.atLeast(1)),
            Map.entry("--port", Range.between(0, 65535)),
            Map.entry("--seed", Range.any()),
            // the exporter knows which operator sets it writes; the experiments, the paper's depths
            Map.entry("--opset", Range.any()),
            Map.entry("--depth", Range.any()),
            Map.entry("--depths", Range.any()),
            Map.entry("--score-threshold", Range.between(0, 1)),
            Map.entry("--max-detections", Range.atLeast(1)),
            Map.entry("--min-size", Range.between(16, io.resnet4j.detection.ops.DetectionTransform.MAX_SIDE)),
            Map.entry("--max-size", Range.between(16, io.resnet4j.detection.ops.DetectionTransform.MAX_SIDE)));

    private OptionRanges() {}

    /** Whether the table has a range for this option of this command (every numeric option must). */
    static boolean hasRange(String command, String option) {
        return RANGES.containsKey(command + " " + option) || RANGES.containsKey(option);
    }

    /** @throws CommandLine.ParameterException naming the option, its range and the value given */
    static void check(ParseResult parsed) {
        ParseResult last = parsed;
        while (last.hasSubcommand()) {
            last = last.subcommand();
        }
        String command = last.commandSpec().name();
        for (OptionSpec option : last.matchedOptions()) {
            String name = option.longestName();
            Range range = RANGES.getOrDefault(command + " " + name, RANGES.get(name));
            if (range != null) {
                checkValue(last.commandSpec().commandLine(), name, option.getValue(), range);
            }
        }
    }

    private static void checkValue(CommandLine cl, String name, Object value, Range range) {
        Iterable<?> values = value instanceof Iterable<?> list ? list
                : value instanceof int[] ints ? java.util.Arrays.stream(ints).boxed().toList() : java.util.List.of(value);
        for (Object v : values) {
            if (v instanceof Number n && !range.contains(n.doubleValue())) {
                throw new CommandLine.ParameterException(cl, name + " " + range.describe() + ", got " + v);
            }
        }
    }

    private static String number(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%s", v);
    }
}
