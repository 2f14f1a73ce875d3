package io.resnet4j.data;

import java.util.ArrayDeque;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The machinery every {@link BatchSource} shares: the order of each epoch, worker threads that
 * prepare batches ahead of the consumer, delivery in order, and a pool of batch buffers. What a
 * data set adds is how to fill one batch ({@link Filler}): {@link Batcher} decodes CIFAR bytes,
 * {@link ImageFolderLoader} JPEG and PNG files.
 *
 * <p>Deterministic and resumable: the order of epoch {@code e} is {@link Batcher#permutation}(seed,
 * e), and a filler's random choices may depend only on (seed, epoch, position), so any number of
 * workers, and a run resumed at (epoch, batch), see the same batches.
 *
 * <p>Steady state allocates nothing: a full batch's arrays go back to the pool when the consumer
 * asks for the next batch (which is why a {@link Batch} is valid only until then). Only short
 * batches (a kept last batch, or one with unreadable images left out) get arrays of their own,
 * so that {@code images().length} is always exactly what the batch holds.
 *
 * <p>All bookkeeping happens on the consumer's thread; workers only fill the buffer they are given.
 */
public final class PrefetchingBatches implements BatchSource {

    /** The data-set-specific half of a batch source: how many images there are and how to prepare them. */
    interface Filler {
        /** Images in the data set. */
        int size();

        /** Side of the square images the batches hold. */
        int side();

        /**
         * Writes the images at positions {@code start, start + 1, ...} of an epoch's order into
         * {@code out}, up to its size, each image's random augmentation drawn from (seed, epoch, position).
         *
         * @param order the epoch's permutation of image indices, or null for 0, 1, 2, ...
         * @return how many images were written: fewer when some could not be read (they are left out and
         *     the rest move up)
         */
        int fill(int epoch, int start, int[] order, Batch out);
    }

    private static final AtomicInteger POOL_IDS = new AtomicInteger();

    private final Filler filler;
    private final int batchSize;
    private final long seed;
    private final boolean shuffle;
    private final int batchesPerEpoch;
    private final int endEpoch;
    private final int prefetch;
    private final ExecutorService pool;
    private final ArrayDeque<Future<Batch>> inflight = new ArrayDeque<>();
    private final ArrayDeque<Batch> free = new ArrayDeque<>();

    /** Consumer position: the next batch {@link #next()} returns. */
    private int nextEpoch;
    private int nextIndex;
    /** Producer position: the next batch to submit. */
    private int submitEpoch;
    private int submitIndex;
    private int[] order;
    private int orderEpoch = -1;
    private Batch current;
    private boolean closed;

    PrefetchingBatches(Filler filler, Options<?> o, String threadPrefix) {
        this.filler = filler;
        this.batchSize = o.batchSize;
        this.seed = o.seed;
        this.shuffle = o.shuffle;
        this.batchesPerEpoch = Batcher.batchesPerEpoch(filler.size(), batchSize, o.dropLast);
        if (batchesPerEpoch == 0) {
            throw new IllegalArgumentException(filler + " has no full batch of " + batchSize
                    + " images; use a smaller batch size or keep the last batch (dropLast false)");
        }
        if (o.startBatch > batchesPerEpoch) {
            throw new IllegalArgumentException("start batch " + o.startBatch + " is outside 0.." + batchesPerEpoch
                    + " (an epoch has " + batchesPerEpoch + " batches)");
        }
        // Resuming right after an epoch's last batch is resuming at the start of the next epoch.
        boolean atEpochEnd = o.startBatch == batchesPerEpoch;
        this.nextEpoch = atEpochEnd ? o.startEpoch + 1 : o.startEpoch;
        this.nextIndex = atEpochEnd ? 0 : o.startBatch;
        this.endEpoch = o.endEpoch == null ? nextEpoch + 1 : o.endEpoch;
        this.submitEpoch = nextEpoch;
        this.submitIndex = nextIndex;
        this.prefetch = o.prefetch > 0 ? o.prefetch : o.workers + 1;
        this.pool = o.workers > 0 ? newPool(o.workers, threadPrefix) : null;
        refill();
    }

    private static ExecutorService newPool(int workers, String threadPrefix) {
        int id = POOL_IDS.incrementAndGet();
        AtomicInteger n = new AtomicInteger();
        return Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, threadPrefix + id + "-" + n.incrementAndGet());
            t.setDaemon(true); // never keep the JVM alive because a caller forgot close()
            return t;
        });
    }

    @Override
    public int batchesPerEpoch() {
        return batchesPerEpoch;
    }

    int batchSize() {
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
            throw new IllegalStateException("the batch source is closed");
        }
        if (nextEpoch >= endEpoch) {
            throw new NoSuchElementException("no batch after epoch " + (endEpoch - 1));
        }
        recycle(current);
        current = exactSize(pool == null ? produceNow() : awaitNext());
        if (++nextIndex == batchesPerEpoch) {
            nextIndex = 0;
            nextEpoch++;
        }
        return current;
    }

    /** Stops the worker threads; batches already handed out stay readable. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (pool == null) {
            return;
        }
        inflight.forEach(f -> f.cancel(true));
        inflight.clear();
        pool.shutdownNow();
        try {
            pool.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Batch produceNow() {
        Batch b = produce(submitEpoch, submitIndex, takeBuffer(submitEpoch, submitIndex), orderOf(submitEpoch));
        advanceSubmit();
        return b;
    }

    private Batch awaitNext() {
        Future<Batch> f = inflight.poll();
        try {
            Batch b = f.get();
            refill();
            return b;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a batch", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException("batch preparation failed: " + cause, cause);
        }
    }

    private void refill() {
        while (pool != null && !closed && inflight.size() < prefetch && submitEpoch < endEpoch) {
            final int epoch = submitEpoch;
            final Batch buffer = takeBuffer(epoch, submitIndex);
            final int[] epochOrder = orderOf(epoch);
            final int index = submitIndex;
            inflight.add(pool.submit(() -> produce(epoch, index, buffer, epochOrder)));
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
    private int[] orderOf(int epoch) {
        if (!shuffle) {
            return null;
        }
        if (orderEpoch != epoch) {
            order = Batcher.permutation(seed, epoch, filler.size());
            orderEpoch = epoch;
        }
        return order;
    }

    private Batch produce(int epoch, int index, Batch out, int[] epochOrder) {
        out.kept = filler.fill(epoch, index * batchSize, epochOrder, out);
        return out;
    }

    private Batch takeBuffer(int epoch, int index) {
        int size = Math.min(batchSize, filler.size() - index * batchSize);
        Batch b = size == batchSize && !free.isEmpty() ? free.poll() : new Batch(size, filler.side());
        b.epoch = epoch;
        b.index = index;
        return b;
    }

    /** A batch with images left out is copied to arrays of its size; its full-size buffer goes back at once. */
    private Batch exactSize(Batch b) {
        if (b.kept == b.size()) {
            return b;
        }
        Batch compact = b.prefix(b.kept);
        recycle(b);
        return compact;
    }

    private void recycle(Batch b) {
        if (b != null && b.size() == batchSize) {
            free.add(b);
        }
    }

    /**
     * The options every batch source has, for its builder to extend; defaults: shuffled, augmented,
     * the short last batch dropped, the start epoch only, 2 workers.
     *
     * @param <B> the builder, so that setters chain into its own methods
     */
    public abstract static class Options<B extends Options<B>> {
        private final int minWorkers;
        int batchSize;
        long seed;
        boolean shuffle = true;
        boolean augment = true;
        boolean dropLast = true;
        int startEpoch;
        int startBatch;
        Integer endEpoch;
        int workers = 2;
        int prefetch;

        /**
         * @param batchSize the default batch size
         * @param minWorkers 0 when batches may be prepared on the consumer's thread
         * @param prefetch the default number of batches prepared ahead; 0 = workers + 1
         */
        Options(int batchSize, int minWorkers, int prefetch) {
            this.batchSize = batchSize;
            this.minWorkers = minWorkers;
            this.prefetch = prefetch;
        }

        @SuppressWarnings("unchecked")
        private B self() {
            return (B) this;
        }

        /** Images per batch. */
        public B batchSize(int v) {
            if (v <= 0) {
                throw new IllegalArgumentException("batch size must be positive: " + v);
            }
            batchSize = v;
            return self();
        }

        /** Seed of the epochs' orders and of the augmentation. */
        public B seed(long v) {
            seed = v;
            return self();
        }

        /** Whether each epoch visits the images in a fresh random order. */
        public B shuffle(boolean v) {
            shuffle = v;
            return self();
        }

        /** Whether to apply the data's random training augmentation, or use the plain image. */
        public B augment(boolean v) {
            augment = v;
            return self();
        }

        /** Whether to drop a short last batch (training) or keep it (evaluation). */
        public B dropLast(boolean v) {
            dropLast = v;
            return self();
        }

        /**
         * Where to start, for exact resume.
         *
         * @param epoch the epoch of the first batch, from 0
         * @param batch the index of the first batch in that epoch, 0..batchesPerEpoch (the latter
         *     meaning the start of the next epoch)
         */
        public B startAt(int epoch, int batch) {
            if (epoch < 0 || batch < 0) {
                throw new IllegalArgumentException("start must be non-negative: epoch " + epoch + ", batch " + batch);
            }
            startEpoch = epoch;
            startBatch = batch;
            return self();
        }

        /** The epoch after the last one produced (exclusive); default: the start epoch only. */
        public B endEpoch(int v) {
            endEpoch = v;
            return self();
        }

        /** Background threads preparing batches (0, where allowed: on the consumer's thread). */
        public B workers(int v) {
            if (v < minWorkers) {
                throw new IllegalArgumentException("workers must be >= " + minWorkers + ": " + v);
            }
            workers = v;
            return self();
        }

        /** Batches prepared ahead of the consumer (at least 1). */
        public B prefetch(int v) {
            if (v < 1) {
                throw new IllegalArgumentException("prefetch must be >= 1: " + v);
            }
            prefetch = v;
            return self();
        }

        /** Evaluation settings in one call: no shuffle, no augmentation, keep the last batch. */
        public B evaluation() {
            return shuffle(false).augment(false).dropLast(false);
        }
    }
}
