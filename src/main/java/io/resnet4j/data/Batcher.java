package io.resnet4j.data;

import java.util.ArrayDeque;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

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
 *   <li><b>Prefetched.</b> A small fixed pool ({@code workers}, default 2) fills up to {@code prefetch}
 *       batches ahead (default 4) while the consumer trains; batches come out in order.
 *   <li><b>Cheap.</b> Bytes go to floats in one fused pass ({@link Augmentation}); full-size batch
 *       buffers are recycled, so steady state allocates nothing. The price: a {@link Batch} is valid
 *       only until the next {@link #next()} (call {@link Batch#copy()} to keep one).
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
    private static final AtomicInteger POOL_IDS = new AtomicInteger();

    private final CifarData data;
    private final Normalization norm;
    private final int batchSize;
    private final long seed;
    private final boolean shuffle;
    private final boolean augment;
    private final int batchesPerEpoch;
    private final int endEpoch;
    private final int prefetch;
    private final ExecutorService pool;

    /** Consumer position: the next batch {@link #next()} returns. */
    private int nextEpoch;
    private int nextIndex;
    /** Producer position: the next batch to submit. */
    private int submitEpoch;
    private int submitIndex;
    private int[] submitPerm;
    private int submitPermEpoch = -1;

    private final ArrayDeque<Future<Batch>> inflight = new ArrayDeque<>();
    private final ArrayDeque<Batch> free = new ArrayDeque<>();
    private Batch current;
    private boolean closed;

    private Batcher(Builder b) {
        this.data = b.data;
        this.norm = b.norm;
        this.batchSize = b.batchSize;
        this.seed = b.seed;
        this.shuffle = b.shuffle;
        this.augment = b.augment;
        this.batchesPerEpoch = batchesPerEpoch(data.size(), batchSize, b.dropLast);
        if (batchesPerEpoch == 0) {
            throw new IllegalArgumentException(data + " has no full batch of " + batchSize
                    + " images; use a smaller batch size or keep the last batch (dropLast false)");
        }
        if (b.startBatch < 0 || b.startBatch > batchesPerEpoch) {
            throw new IllegalArgumentException("start batch " + b.startBatch + " is outside 0.." + batchesPerEpoch
                    + " (an epoch has " + batchesPerEpoch + " batches)");
        }
        // Resuming right after an epoch's last batch is resuming at the start of the next epoch.
        this.nextEpoch = b.startBatch == batchesPerEpoch ? b.startEpoch + 1 : b.startEpoch;
        this.nextIndex = b.startBatch == batchesPerEpoch ? 0 : b.startBatch;
        this.endEpoch = b.endEpoch == null ? nextEpoch + 1 : b.endEpoch;
        this.submitEpoch = nextEpoch;
        this.submitIndex = nextIndex;
        this.prefetch = b.prefetch;
        if (b.workers > 0) {
            int id = POOL_IDS.incrementAndGet();
            AtomicInteger n = new AtomicInteger();
            ThreadFactory tf = r -> {
                Thread t = new Thread(r, "resnet4j-batcher-" + id + "-" + n.incrementAndGet());
                t.setDaemon(true); // never keep the JVM alive because a caller forgot close()
                return t;
            };
            this.pool = Executors.newFixedThreadPool(b.workers, tf);
            refill();
        } else {
            this.pool = null;
        }
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

    /** @return batches in one epoch */
    @Override
    public int batchesPerEpoch() {
        return batchesPerEpoch;
    }

    /** @return the batch size (the last batch of an epoch may be shorter when it is kept) */
    public int batchSize() {
        return batchSize;
    }

    @Override
    public boolean hasNext() {
        return !closed && nextEpoch < endEpoch;
    }

    /**
     * @return the next batch; valid until the next call or {@link #close()}
     * @throws NoSuchElementException after the last batch
     * @throws IllegalStateException if closed, interrupted, or a worker failed
     */
    @Override
    public Batch next() {
        if (closed) {
            throw new IllegalStateException("batcher is closed");
        }
        if (nextEpoch >= endEpoch) {
            throw new NoSuchElementException("no batch after epoch " + (endEpoch - 1));
        }
        recycle(current);
        current = null;
        Batch b;
        if (pool == null) {
            b = produce(submitEpoch, submitIndex, takeBuffer(submitEpoch, submitIndex), permFor(submitEpoch));
            advanceSubmit();
        } else {
            Future<Batch> f = inflight.poll();
            try {
                b = f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for a batch", e);
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                if (c instanceof RuntimeException re) {
                    throw re;
                }
                if (c instanceof Error err) {
                    throw err;
                }
                throw new IllegalStateException("batch preparation failed", c);
            }
            refill();
        }
        current = b;
        if (++nextIndex == batchesPerEpoch) {
            nextIndex = 0;
            nextEpoch++;
        }
        return b;
    }

    /** Stops the worker threads; batches already handed out stay readable. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (pool != null) {
            for (Future<Batch> f : inflight) {
                f.cancel(true);
            }
            inflight.clear();
            pool.shutdownNow();
            try {
                pool.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void refill() {
        while (inflight.size() < prefetch && submitEpoch < endEpoch) {
            final int e = submitEpoch;
            final int i = submitIndex;
            final Batch buf = takeBuffer(e, i);
            final int[] perm = permFor(e);
            inflight.add(pool.submit(() -> produce(e, i, buf, perm)));
            advanceSubmit();
        }
    }

    private void advanceSubmit() {
        if (++submitIndex == batchesPerEpoch) {
            submitIndex = 0;
            submitEpoch++;
        }
    }

    /** Computed on the consumer thread, once per epoch; tasks only read it (published by submit). */
    private int[] permFor(int epoch) {
        if (!shuffle) {
            return null;
        }
        if (submitPermEpoch != epoch) {
            submitPerm = permutation(seed, epoch, data.size());
            submitPermEpoch = epoch;
        }
        return submitPerm;
    }

    private int sizeOf(int index) {
        return Math.min(batchSize, data.size() - index * batchSize);
    }

    private Batch takeBuffer(int epoch, int index) {
        int size = sizeOf(index);
        // Only full-size buffers are pooled; a short last batch gets its own exact-size arrays.
        Batch b = size == batchSize && !free.isEmpty() ? free.poll() : new Batch(size);
        b.epoch = epoch;
        b.index = index;
        return b;
    }

    private void recycle(Batch b) {
        if (b != null && b.size() == batchSize) {
            free.add(b);
        }
    }

    private Batch produce(int epoch, int index, Batch out, int[] perm) {
        final byte[] px = data.pixels();
        final byte[] lab = data.labels();
        final float[] img = out.images();
        final int[] labels = out.labels();
        final int start = index * batchSize;
        for (int j = 0, n = labels.length; j < n; j++) {
            int pos = start + j;
            int src = perm == null ? pos : perm[pos];
            labels[j] = lab[src] & 0xFF;
            int code = augment ? Augmentation.draw(seed, epoch, pos) : Augmentation.IDENTITY;
            Augmentation.apply(px, src * CifarData.IMAGE_SIZE, code, norm, img, j * CifarData.IMAGE_SIZE);
        }
        return out;
    }

    /** Configures a {@link Batcher}; see {@link Batcher#builder}. */
    public static final class Builder {
        private final CifarData data;
        private final Normalization norm;
        private int batchSize = 128;
        private long seed;
        private boolean shuffle = true;
        private boolean augment = true;
        private boolean dropLast = true;
        private int startEpoch;
        private int startBatch;
        private Integer endEpoch;
        private int workers = 2;
        private int prefetch = 4;

        private Builder(CifarData data, Normalization norm) {
            this.data = Objects.requireNonNull(data, "data");
            this.norm = Objects.requireNonNull(norm, "norm");
        }

        /**
         * @param v images per batch (the paper: 128)
         * @return this
         */
        public Builder batchSize(int v) {
            if (v <= 0) {
                throw new IllegalArgumentException("batch size must be positive: " + v);
            }
            batchSize = v;
            return this;
        }

        /**
         * @param v seed of the shuffles and augmentations
         * @return this
         */
        public Builder seed(long v) {
            seed = v;
            return this;
        }

        /**
         * @param v whether each epoch visits the images in a fresh random order
         * @return this
         */
        public Builder shuffle(boolean v) {
            shuffle = v;
            return this;
        }

        /**
         * @param v whether to pad, crop and flip at random (training) or use the plain image
         * @return this
         */
        public Builder augment(boolean v) {
            augment = v;
            return this;
        }

        /**
         * @param v whether to drop a short last batch
         * @return this
         */
        public Builder dropLast(boolean v) {
            dropLast = v;
            return this;
        }

        /**
         * Where to start, for exact resume.
         *
         * @param epoch the epoch of the first batch, from 0
         * @param batch the index of the first batch in that epoch, 0..batchesPerEpoch (the latter meaning
         *     the start of the next epoch)
         * @return this
         */
        public Builder startAt(int epoch, int batch) {
            if (epoch < 0 || batch < 0) {
                throw new IllegalArgumentException("start must be non-negative: epoch " + epoch + ", batch " + batch);
            }
            startEpoch = epoch;
            startBatch = batch;
            return this;
        }

        /**
         * @param v the epoch after the last one produced (exclusive); default: the start epoch only
         * @return this
         */
        public Builder endEpoch(int v) {
            endEpoch = v;
            return this;
        }

        /**
         * @param v background threads; 0 prepares each batch on the consumer's thread
         * @return this
         */
        public Builder workers(int v) {
            if (v < 0) {
                throw new IllegalArgumentException("workers must be >= 0: " + v);
            }
            workers = v;
            return this;
        }

        /**
         * @param v batches prepared ahead of the consumer (at least 1)
         * @return this
         */
        public Builder prefetch(int v) {
            if (v < 1) {
                throw new IllegalArgumentException("prefetch must be >= 1: " + v);
            }
            prefetch = v;
            return this;
        }

        /**
         * Evaluation settings in one call: no shuffle, no augmentation, keep the last batch.
         *
         * @return this
         */
        public Builder evaluation() {
            return shuffle(false).augment(false).dropLast(false);
        }

        /** @return a started batcher; close it */
        public Batcher build() {
            return new Batcher(this);
        }
    }
}
