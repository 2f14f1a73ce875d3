package io.resnet4j.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.resnet4j.model.ResNetConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The progress a user sees in a log: the first iterations at once, then a line at least every 10 s. */
class ProgressReporterTest {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private long now;

    private ProgressReporter reporter() {
        return new ProgressReporter(new PrintStream(bytes, true, StandardCharsets.UTF_8), false, "resnet20", () -> now);
    }

    private List<String> lines() {
        return bytes.toString(StandardCharsets.UTF_8).lines().toList();
    }

    /** Steps of one second each, with the metrics row every log-every iterations as the trainer sends it. */
    private void train(ProgressReporter p, TrainConfig config, long from, long to, long secondsEach) {
        for (long i = from; i <= to; i++) {
            now += secondsEach * 1_000_000_000L;
            p.onStep(i, 0, 0.1f, new TrainStep.Result(2.3f, 100, 128));
            if (i % config.logEvery() == 0) {
                p.onMetrics(new TrainingListener.Metrics(i, 1, 0.1f, 2.3, 0.8, Double.NaN, 128));
            }
        }
    }

    @Test
    void aLogShowsTheFirstIterationsAndThenALineEveryTenSeconds() {
        TrainConfig config = TrainConfig.builder(Recipe.cifar()).model(ResNetConfig.of("resnet20")).trainImages(45_000)
                .logEvery(1000).build();
        ProgressReporter p = reporter();
        p.onStart(config, 0, 351);
        train(p, config, 1, 30, 1);
        List<String> lines = lines();
        assertThat(lines.stream().filter(l -> l.contains("] iter ")).map(l -> l.replaceAll(".*] iter (\\d+)/.*", "$1")))
                .containsExactly("1", "2", "5", "10", "20", "30");
        assertThat(lines.get(0)).startsWith("resnet20: [....................] iter 1/64000 ep 1 lr 0.1 loss 2.300");
        assertThat(lines).contains("resnet20: estimated time: 17:46:40 for 64,000 iterations (1.00 s each over the first 10)");
    }

    @Test
    void theTimeLeftOfADemoCoversTheNetworksStillToCome() {
        TrainConfig config = TrainConfig.builder(Recipe.cifar()).model(ResNetConfig.of("resnet20")).trainImages(5_000)
                .iterations(100).logEvery(50).build();
        ProgressReporter p = reporter().followedBy(100, "demo");
        p.onStart(config, 0, 39);
        train(p, config, 1, 50, 2);
        String row = lines().stream().filter(l -> l.contains("iter 50/100")).findFirst().orElseThrow();
        // 2 s per iteration: 50 left of this net and 100 of the next
        assertThat(row).endsWith("eta 0:05:00 (whole demo)");
        assertThat(lines()).contains("resnet20: estimated time: 0:03:20 for 100 iterations (2.00 s each over the first"
                + " 10), 0:06:40 for the whole demo");
    }

    @Test
    void landmarksAreOneTwoFiveTimesPowersOfTen() {
        assertThat(java.util.stream.LongStream.rangeClosed(0, 1000).filter(ProgressReporter::isLandmark).boxed())
                .containsExactly(1L, 2L, 5L, 10L, 20L, 50L, 100L, 200L, 500L, 1000L);
    }
}
