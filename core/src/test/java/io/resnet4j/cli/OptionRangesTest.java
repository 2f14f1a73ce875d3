package io.resnet4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

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
    void exportsMayLeaveTheBatchOpen() {
        CliTest.Result r = CliTest.run("export", "--weights", "missing.safetensors", "--batch-size", "0");
        assertThat(r.err()).doesNotContain("--batch-size must");
    }
}
