package io.resnet4j.data;

import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Turns a {@link CifarData} into a sequence of normalised, optionally shuffled and augmented
 * mini-batches, prepared ahead of time on background threads.
 *
 * <p>Why it is built like this:
 * <ul>
 *   <li><b>Deterministic and resumable.</b> The order of epoch {@code e} is a Fisher-Yates permutation
 *       seeded by (seed, e) alone, and the crop/flip of the image at position {@code p} of that order is
 *       a hash of (seed, e, p) ({@link Augmentation#draw}). Nothing depends on thread timing or on how
 *       many batches were produced before, so a run resumed at (epoch, batch k) sees exactly the batches
 *       an uninterrupted run sees from batch k on, with any number of workers.
 *   <li><b>Prefetched, recycled.</b> {@link PrefetchingBatches} (shared with image folders) fills up to
 *       {@code prefetch} batches ahead (default 4) on {@code workers} threads (default 2, 0 = on the
 *       consumer's thread), hands them out in order and reuses their buffers, so steady state
 *       allocates nothing. The price: a {@link Batch} is valid only until the next {@link #next()}
 *       (call {@link Batch#copy()} to keep one).
 *   <li><b>Cheap.</b> Bytes go to floats in one fused pass ({@link Augmentation}).
 *   <li><b>Engine-independent.</b> Plain arrays out; the trainer turns them into NDArrays.
 * </ul>
 *
 * <p>It iterates from {@code (startEpoch, startBatch)} to the end of epoch {@code endEpoch - 1}. With
 * {@code dropLast} an epoch has {@code floor(n / batchSize)} batches (the paper's fixed-size
 * mini-batches; the reference also drops the remainder), otherwise {@code ceil(n / batchSize)} with a
 * short last batch (evaluation). Close it to stop its threads; it is not thread-safe for several
 * consumers.
 *
 * <pre>{@code
 * try (Batcher b = Batcher.builder(train, Normalization.paper(mean)).batchSize(128).seed(42)
 *         .startAt(epoch, 0).endEpoch(epochs).build()) {
 *     while (b.hasNext()) { Batch batch = b.next(); ... }
 * }
 * }</pre>
 */
public final class Batcher implements BatchSource {

    private final PrefetchingBatches batches;

    private Batcher(Builder b) {
        this.batches = new PrefetchingBatches(new CifarFiller(b.data, b.norm, b.seed, b.augment), b,
                "resnet4j-batcher-");
    }

    /**
     * @param data the images to batch
     * @param norm how to normalise them
     * @return a builder with training defaults: batch 128, seed 0, shuffle, augment, drop last, epoch 0
     *     only, 2 workers, 4 batches ahead
     */
    public static Builder builder(CifarData data, Normalization norm) {
        return new Builder(data, norm);
    }

    /**
     * @param n images in the data set
     * @param batchSize images per batch
     * @param dropLast whether a short last batch is dropped
     * @return batches in one epoch
     */
    public static int batchesPerEpoch(int n, int batchSize, boolean dropLast) {
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /**
     * The order of an epoch: a Fisher-Yates shuffle seeded by (seed, epoch) only.
     *
     * @param seed the run's seed
     * @param epoch the epoch
     * @param n the number of images
     * @return a permutation of {@code 0..n-1}
     */
    public static int[] permutation(long seed, int epoch, int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        SplittableRandom r = new SplittableRandom(Augmentation.mix64(seed * 0x9E3779B97F4A7C15L + epoch));
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    @Override
    public int batchesPerEpoch() {
        return batches.batchesPerEpoch();
    }

    /** @return the batch size (the last batch of an epoch may be shorter when it is kept) */
    public int batchSize() {
        return batches.batchSize();
    }

    @Override
    public boolean hasNext() {
        return batches.hasNext();
    }

    /**
     * @return the next batch; valid until the next call or {@link #close()}
     * @throws java.util.NoSuchElementException after the last batch
     * @throws IllegalStateException if closed, interrupted, or a worker failed
     */
    @Override
    public Batch next() {
        return batches.next();
    }

    /** Stops the worker threads; batches already handed out stay readable. Idempotent. */
    @Override
    public void close() {
        batches.close();
    }

    /** CIFAR bytes to normalised floats, cropped and flipped as (seed, epoch, position) say. */
    private record CifarFiller(CifarData data, Normalization norm, long seed, boolean augment)
            implements PrefetchingBatches.Filler {

        @Override
        public int size() {
            return data.size();
        }

        @Override
        public int side() {
            return CifarData.SIDE;
        }

        @Override
        public int fill(int epoch, int start, int[] order, Batch out) {
            byte[] px = data.pixels();
            byte[] lab = data.labels();
            for (int j = 0, n = out.size(); j < n; j++) {
                int pos = start + j;
                int src = order == null ? pos : order[pos];
                out.labels()[j] = lab[src] & 0xFF;
                int code = augment ? Augmentation.draw(seed, epoch, pos) : Augmentation.IDENTITY;
                Augmentation.apply(px, src * CifarData.IMAGE_SIZE, code, norm, out.images(), j * CifarData.IMAGE_SIZE);
            }
            return out.size();
        }

        @Override
        public String toString() {
            return data.toString();
        }
    }

    /** Configures a {@link Batcher}; see {@link Batcher#builder}. */
    public static final class Builder extends PrefetchingBatches.Options<Builder> {
        private final CifarData data;
        private final Normalization norm;

        private Builder(CifarData data, Normalization norm) {
            super(128, 0, 4);
            this.data = Objects.requireNonNull(data, "data");
            this.norm = Objects.requireNonNull(norm, "norm");
        }

        /** @return a started batcher; close it */
        public Batcher build() {
            return new Batcher(this);
        }
    }
}
