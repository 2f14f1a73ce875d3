package io.resnet4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Out-of-range numbers are one usage line naming the option, before any work starts. */
class OptionRangesTest {

    private static void refused(String expected, String... args) {
        CliTest.Result r = CliTest.run(args);
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.err().lines().findFirst().orElseThrow()).isEqualTo("resnet4j: " + expected);
    }

    @Test
    void batchSizesStepsAndCountsMustBePositive() {
        refused("--batch-size must be at least 1, got 0", "predict", "--weights", "w", "--batch-size", "0", "x.jpg");
        refused("--batch-size must be at least 1, got -1", "train", "--data", "d", "--batch-size", "-1");
        refused("--stop-after must be at least 1, got 0", "train", "--data", "d", "--stop-after", "0");
        refused("--steps must be at least 1, got 0", "bench", "infer", "--steps", "0");
        refused("--top must be at least 1, got 0", "predict", "--weights", "w", "--top", "0", "x.jpg");
        refused("--threads must be at least 1, got 0", "bench", "infer", "--threads", "0");
    }

    @Test
    void imageSidesThatWouldOverflowAreUsageErrors() {
        refused("--crop must be between 1 and 4096, got 100000", "predict", "--weights", "w", "--crop", "100000", "x.jpg");
        refused("--resize must be between 0 and 4096, got -5", "features", "--weights", "w", "--resize", "-5", "x.jpg");
    }

    @Test
    void ratesAndListsAreCheckedToo() {
        refused("--lr must be greater than 0, got 0.0", "train", "--data", "d", "--lr", "0");
        refused("--momentum must be between 0 and 1, got 1.5", "train", "--data", "d", "--momentum", "1.5");
    }

    @Test
    void everyCommandsCountsAreChecked() {
        refused("--workers must be at least 1, got 0", "eval", "--weights", "w", "--data", "d", "--workers", "0");
        refused("--iterations must be at least 1, got 0", "demo", "--iterations", "0");
        refused("--epochs must be at least 1, got 0", "experiment", "degradation", "--epochs", "0");
        refused("--batch-size must be at least 1, got 0", "experiment", "responses", "--from", "f", "--batch-size", "0");
        refused("--milestones must be at least 1, got 0", "train", "--data", "d", "--milestones", "0,100");
        refused("--port must be between 0 and 65535, got 70000", "serve", "--weights", "w", "--port", "70000");
        refused("--max-batch must be at least 1, got 0", "serve", "--weights", "w", "--max-batch", "0");
        refused("--max-delay-ms must be at least 0, got -1", "serve", "--weights", "w", "--max-delay-ms", "-1");
        refused("--scales must be between 1 and 4096, got 0", "eval", "--weights", "w", "--data", "d", "--scales", "224,0");
    }

    /** A numeric option added without a range would reach the code unchecked: "/ by zero" deep inside. */
    @Test
    void everyNumericOptionOfEveryCommandHasARange() {
        java.util.List<String> unchecked = new java.util.ArrayList<>();
        java.util.Deque<CommandLine> todo = new java.util.ArrayDeque<>(java.util.List.of(Main.newCommandLine()));
        int numeric = 0;
        while (!todo.isEmpty()) {
            CommandLine c = todo.pop();
            todo.addAll(new java.util.LinkedHashSet<>(c.getSubcommands().values()));
            for (CommandLine.Model.OptionSpec o : c.getCommandSpec().options()) {
                if (isNumeric(o)) {
                    numeric++;
                    if (!OptionRanges.hasRange(c.getCommandSpec().name(), o.longestName())) {
                        unchecked.add(c.getCommandSpec().qualifiedName() + " " + o.longestName());
                    }
                }
            }
        }
        assertThat(numeric).as("numeric options found").isGreaterThan(60);
        assertThat(unchecked).isEmpty();
    }

    private static boolean isNumeric(CommandLine.Model.OptionSpec o) {
        Class<?> t = o.type().isArray() ? o.type().getComponentType()
                : java.util.Collection.class.isAssignableFrom(o.type()) ? o.auxiliaryTypes()[0] : o.type();
        return t.isPrimitive() && t != boolean.class || Number.class.isAssignableFrom(t);
    }

    @Test
    void exportsMayLeaveTheBatchOpen() {
        CliTest.Result r = CliTest.run("export", "--weights", "missing.safetensors", "--batch-size", "0");
        assertThat(r.err()).doesNotContain("--batch-size must");
    }
}
