package io.resnet4j.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs against the shared CIFAR-10 training copy ({@code ../shared/datasets/cifar-10-batches-bin}) and
 * skips when it is absent, as on a user's clone. Also measures batcher throughput on the real 45k split.
 */
class SharedCifarTest {
    static final Path SHARED = io.resnet4j.SharedData.path("datasets", "cifar-10-batches-bin");
    static Map<Split, CifarData> data;

    @BeforeAll
    static void load() throws IOException {
        assumeTrue(Files.isRegularFile(SHARED.resolve("data_batch_5.bin")),
                "no shared CIFAR-10 copy at " + SHARED.toAbsolutePath());
        data = Cifar10.load(SHARED, EnumSet.of(Split.TRAIN45K, Split.VAL5K));
    }

    @Test
    void val5kIsTheLast5000RecordsOfDataBatch5() throws IOException {
        CifarData train = data.get(Split.TRAIN45K);
        CifarData val = data.get(Split.VAL5K);
        assertThat(train.size()).isEqualTo(45_000);
        assertThat(val.size()).isEqualTo(5_000);
        assertThat(val.classNames()).containsExactlyElementsOf(Cifar10.DEFAULT_CLASS_NAMES);
        byte[] last = Files.readAllBytes(SHARED.resolve("data_batch_5.bin"));
        for (int i : new int[] {0, 1234, 4999}) {
            int off = (5_000 + i) * Cifar10.RECORD_SIZE;
            assertThat(val.label(i)).isEqualTo(last[off]);
            assertThat(Arrays.copyOfRange(val.pixels(), i * 3072, (i + 1) * 3072))
                    .isEqualTo(Arrays.copyOfRange(last, off + 1, off + Cifar10.RECORD_SIZE));
        }
        // Mean image in a plausible range (CIFAR-10 averages about 0.47 in every channel).
        float[] mean = PixelMean.compute(train);
        double avg = 0;
        for (float m : mean) {
            avg += m / mean.length;
        }
        assertThat(avg).isBetween(0.40, 0.55);
    }

    @Test
    void testSplitIsWithheldAndTheMessageSaysWhatToDo() {
        assertThatThrownBy(() -> Cifar10.load(SHARED, Split.TEST))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("no test_batch.bin in")
                .hasMessageContaining("use --split val5k");
    }

    @Test
    void anAugmentedEpochOfTheReal45kSplitVisitsEveryImageOnce() {
        CifarData train = data.get(Split.TRAIN45K);
        Normalization norm = Normalization.paper(PixelMean.compute(train));
        int[] expected = new int[10];
        for (int i = 0; i < train.size(); i++) {
            expected[train.label(i)]++;
        }
        int[] seen = new int[10];
        long start = System.nanoTime();
        long images = 0;
        try (Batcher b = Batcher.builder(train, norm).batchSize(128).seed(1).dropLast(false).workers(2).build()) {
            while (b.hasNext()) {
                Batch batch = b.next();
                for (int label : batch.labels()) {
                    seen[label]++;
                }
                images += batch.size();
            }
        }
        // Speed depends on the machine, so it is reported, not asserted.
        System.out.printf(Locale.ROOT, "batcher: %,.0f images/s (45k split, batch 128, augment, 2 workers, %d cores)%n",
                images / ((System.nanoTime() - start) / 1e9), Runtime.getRuntime().availableProcessors());
        assertThat(images).isEqualTo(45_000);
        assertThat(seen).containsExactly(expected);
        assertThat(java.util.Arrays.stream(expected).min().orElseThrow()).isGreaterThan(4_300); // CIFAR-10 is balanced
    }

}
