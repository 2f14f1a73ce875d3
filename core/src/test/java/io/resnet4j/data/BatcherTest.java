package io.resnet4j.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;

class BatcherTest {
    private static final CifarData DATA = TestData.dataset(250);
    private static final Normalization NORM = Normalization.paper(PixelMean.compute(DATA));

    private static Batcher.Builder train() {
        return Batcher.builder(DATA, NORM).batchSize(32).seed(7);
    }

    private static List<Batch> drain(Batcher b) {
        List<Batch> out = new ArrayList<>();
        try (b) {
            while (b.hasNext()) {
                out.add(b.next().copy()); // batches are recycled; keep copies
            }
        }
        return out;
    }

    private static void assertSame(List<Batch> a, List<Batch> b) {
        assertThat(a).hasSameSizeAs(b);
        for (int i = 0; i < a.size(); i++) {
            assertThat(a.get(i).epoch()).isEqualTo(b.get(i).epoch());
            assertThat(a.get(i).index()).isEqualTo(b.get(i).index());
            assertThat(a.get(i).labels()).as("labels of batch %d", i).isEqualTo(b.get(i).labels());
            assertThat(a.get(i).images()).as("images of batch %d", i).isEqualTo(b.get(i).images());
        }
    }

    @Test
    void sameSeedGivesIdenticalBatchesAcrossRunsAndThreadCounts() {
        List<Batch> ref = drain(train().endEpoch(3).workers(0).build());
        assertThat(ref).hasSize(3 * 7); // 250 / 32 = 7 full batches per epoch, the rest dropped
        assertSame(drain(train().endEpoch(3).workers(0).build()), ref);
        assertSame(drain(train().endEpoch(3).workers(1).prefetch(1).build()), ref);
        assertSame(drain(train().endEpoch(3).workers(2).build()), ref);
        assertSame(drain(train().endEpoch(3).workers(4).prefetch(9).build()), ref);
    }

    @Test
    void differentEpochsAndSeedsGiveDifferentOrders() {
        List<Batch> two = drain(train().endEpoch(2).build());
        assertThat(two.get(0).labels()).isNotEqualTo(two.get(7).labels());
        assertThat(Batcher.permutation(7, 0, 250)).isNotEqualTo(Batcher.permutation(7, 1, 250));
        assertThat(Batcher.permutation(7, 0, 250)).isNotEqualTo(Batcher.permutation(8, 0, 250));
        int[] sorted = Batcher.permutation(7, 5, 250).clone();
        Arrays.sort(sorted);
        for (int i = 0; i < 250; i++) {
            assertThat(sorted[i]).isEqualTo(i);
        }
    }

    @Test
    void resumingAtABatchYieldsTheUninterruptedRunFromThereOn() {
        List<Batch> full = drain(train().startAt(0, 0).endEpoch(3).build());
        List<Batch> resumed = drain(train().startAt(1, 3).endEpoch(3).build());
        assertSame(resumed, full.subList(7 + 3, full.size()));
        // Resuming right after an epoch's last batch is the start of the next epoch.
        assertSame(drain(train().startAt(0, 7).endEpoch(3).build()), full.subList(7, full.size()));
        // Default end: the start epoch only.
        assertSame(drain(train().startAt(2, 5).build()), full.subList(2 * 7 + 5, 3 * 7));
    }

    @Test
    void augmentedBatchIsTheSeededCropOfThePermutedImage() {
        List<Batch> b = drain(train().startAt(1, 0).build());
        int[] perm = Batcher.permutation(7, 1, 250);
        for (int j : new int[] {0, 5, 31}) {
            int pos = 2 * 32 + j;
            int img = perm[pos];
            float[] want = new float[3072];
            Augmentation.apply(DATA.pixels(), img * 3072, Augmentation.draw(7, 1, pos), NORM, want, 0);
            Batch batch = b.get(2);
            assertThat(batch.labels()[j]).isEqualTo(DATA.label(img));
            assertThat(Arrays.copyOfRange(batch.images(), j * 3072, (j + 1) * 3072)).isEqualTo(want);
        }
        // Augmentation actually happens: some image is not its plain normalised version.
        float[] plain = new float[3072];
        NORM.apply(DATA.pixels(), perm[64] * 3072, plain, 0);
        boolean anyDiffers = false;
        for (int j = 0; j < 32; j++) {
            float[] p = new float[3072];
            NORM.apply(DATA.pixels(), perm[64 + j] * 3072, p, 0);
            anyDiffers |= !Arrays.equals(p, Arrays.copyOfRange(b.get(2).images(), j * 3072, (j + 1) * 3072));
        }
        assertThat(anyDiffers).isTrue();
    }

    @Test
    void evaluationIsInOrderUnaugmentedAndKeepsTheShortLastBatch() {
        List<Batch> b = drain(Batcher.builder(DATA, NORM).batchSize(100).evaluation().build());
        assertThat(b).extracting(Batch::size).containsExactly(100, 100, 50);
        Batch last = b.get(2);
        assertThat(last.images()).hasSize(50 * 3072);
        assertThat(last.labels()).hasSize(50);
        float[] want = new float[3072];
        NORM.apply(DATA.pixels(), 249 * 3072, want, 0);
        assertThat(Arrays.copyOfRange(last.images(), 49 * 3072, 50 * 3072)).isEqualTo(want);
        assertThat(last.labels()[49]).isEqualTo(249 % 10);
        int[] all = b.stream().flatMapToInt(x -> Arrays.stream(x.labels())).toArray();
        for (int i = 0; i < 250; i++) {
            assertThat(all[i]).isEqualTo(i % 10);
        }
    }

    @Test
    void eachEpochVisitsEveryImageOnceWithoutDropLast() {
        List<Batch> b = drain(train().dropLast(false).endEpoch(2).build());
        assertThat(b).hasSize(2 * 8);
        assertThat(b.get(7).size()).isEqualTo(250 - 7 * 32);
        int[] counts = new int[10];
        for (Batch x : b.subList(8, 16)) {
            for (int l : x.labels()) {
                counts[l]++;
            }
        }
        assertThat(counts).containsOnly(25);
    }

    @Test
    void steadyStateReusesAFewBuffers() {
        java.util.Set<float[]> buffers = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        try (Batcher b = train().endEpoch(5).workers(2).prefetch(3).build()) {
            while (b.hasNext()) {
                buffers.add(b.next().images());
            }
        }
        // 35 batches from the prefetched ones plus the one the consumer holds.
        assertThat(buffers).hasSize(3 + 1);
    }

    @Test
    void buffersAreRecycledAndCloseStopsTheThreads() throws InterruptedException {
        Batcher b = train().endEpoch(5).workers(2).build();
        Batch first = b.next();
        b.next();
        b.next();
        assertThat(threadsAlive()).isPositive();
        b.close();
        b.close(); // idempotent
        assertThat(b.hasNext()).isFalse();
        assertThatThrownBy(b::next).isInstanceOf(IllegalStateException.class);
        for (int i = 0; i < 100 && threadsAlive() > 0; i++) {
            Thread.sleep(10);
        }
        assertThat(threadsAlive()).isZero();
        assertThat(first.size()).isEqualTo(32);
    }

    @Test
    void endOfIterationAndBadArguments() {
        try (Batcher b = train().workers(1).build()) {
            for (int i = 0; i < 7; i++) {
                b.next();
            }
            assertThat(b.hasNext()).isFalse();
            assertThatThrownBy(b::next).isInstanceOf(NoSuchElementException.class);
        }
        assertThatThrownBy(() -> train().startAt(0, 8).build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0..7");
        assertThatThrownBy(() -> Batcher.builder(DATA, NORM).batchSize(300).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no full batch of 300");
    }

    private static long threadsAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("resnet4j-batcher-") && t.isAlive()).count();
    }
}
