package io.resnet4j.data;

import io.resnet4j.image.ImageLoader;
import io.resnet4j.image.Resampler;
import io.resnet4j.image.RgbImage;
import io.resnet4j.image.Preprocessing;
import io.resnet4j.io.PrintableText;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Mini-batches from an {@link ImageFolder}: JPEG/PNG decoding and the paper's ImageNet augmentation
 * ({@link ImageTransforms}) on worker threads, several batches ahead of the consumer.
 *
 * <p>Deterministic like {@link Batcher}: epoch e visits the files in {@link Batcher#permutation}(seed,
 * e) order, and every random choice for the image at position p comes from
 * {@link ImageTransforms#random}(seed, e, p), so any number of workers, and a resumed run, see the
 * same batches.
 *
 * <p>Unreadable files never stop an epoch: each is reported once on the report stream (stderr by
 * default) and in {@link #skipped()}, and its batch comes out one image shorter.
 */
public final class ImageFolderLoader implements BatchSource {
    private static final AtomicInteger POOL_IDS = new AtomicInteger();

    private final ImageFolder folder;
    private final Preprocessing pre;
    private final int input;
    private final int batchSize;
    private final long seed;
    private final boolean shuffle;
    private final boolean augment;
    private final int resizeMin;
    private final int resizeMax;
    private final int evalResize;
    private final float lightingStd;
    private final int batchesPerEpoch;
    private final int endEpoch;
    private final int prefetch;
    private final ExecutorService pool;
    private final PrintStream report;
    private final Set<String> skipped = ConcurrentHashMap.newKeySet();

    private int nextEpoch;
    private int nextIndex;
    private int submitEpoch;
    private int submitIndex;
    private int[] submitPerm;
    private int submitPermEpoch = -1;
    private final ArrayDeque<Future<Batch>> inflight = new ArrayDeque<>();
    private boolean closed;

    private ImageFolderLoader(Builder b) {
        this.folder = b.folder;
        this.pre = b.preprocessing;
        this.input = b.inputSize;
        this.batchSize = b.batchSize;
        this.seed = b.seed;
        this.shuffle = b.shuffle;
        this.augment = b.augment;
        this.resizeMin = ImageTransforms.scaled(b.scaleMin, input);
        this.resizeMax = ImageTransforms.scaled(b.scaleMax, input);
        this.evalResize = ImageTransforms.scaled(256, input);
        this.lightingStd = b.lightingStd;
        this.report = b.report;
        this.batchesPerEpoch = Batcher.batchesPerEpoch(folder.size(), batchSize, b.dropLast);
        if (batchesPerEpoch == 0) {
            throw new IllegalArgumentException(folder + " has no full batch of " + batchSize
                    + " images; lower --batch-size");
        }
        if (b.startBatch > batchesPerEpoch) {
            throw new IllegalArgumentException("start batch " + b.startBatch + " is outside 0.." + batchesPerEpoch);
        }
        this.nextEpoch = b.startBatch == batchesPerEpoch ? b.startEpoch + 1 : b.startEpoch;
        this.nextIndex = b.startBatch == batchesPerEpoch ? 0 : b.startBatch;
        this.endEpoch = b.endEpoch == null ? nextEpoch + 1 : b.endEpoch;
        this.submitEpoch = nextEpoch;
        this.submitIndex = nextIndex;
        this.prefetch = b.prefetch > 0 ? b.prefetch : b.workers + 1;
        int id = POOL_IDS.incrementAndGet();
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(Math.max(1, b.workers), r -> {
            Thread t = new Thread(r, "resnet4j-images-" + id + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        refill();
    }

    /** Training defaults: batch 256, shuffled, the paper's augmentation, drop last, 2 workers. */
    public static Builder builder(ImageFolder folder, Preprocessing preprocessing, int inputSize) {
        return new Builder(folder, preprocessing, inputSize);
    }

    @Override
    public int batchesPerEpoch() {
        return batchesPerEpoch;
    }

    /** Files that could not be decoded so far (reported once each). */
    public List<String> skipped() {
        List<String> l = new ArrayList<>(skipped);
        Collections.sort(l);
        return l;
    }

    @Override
    public boolean hasNext() {
        return !closed && nextEpoch < endEpoch;
    }

    @Override
    public Batch next() {
        if (closed) {
            throw new IllegalStateException("loader is closed");
        }
        if (nextEpoch >= endEpoch) {
            throw new NoSuchElementException("no batch after epoch " + (endEpoch - 1));
        }
        Batch b;
        try {
            b = inflight.poll().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a batch", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException("batch preparation failed: " + e.getCause(), e.getCause());
        }
        refill();
        if (++nextIndex == batchesPerEpoch) {
            nextIndex = 0;
            nextEpoch++;
        }
        return b;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        inflight.forEach(f -> f.cancel(true));
        inflight.clear();
        pool.shutdownNow();
        try {
            pool.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void refill() {
        while (inflight.size() < prefetch && submitEpoch < endEpoch) {
            final int e = submitEpoch;
            final int i = submitIndex;
            final int[] perm = permFor(e);
            inflight.add(pool.submit(() -> produce(e, i, perm)));
            if (++submitIndex == batchesPerEpoch) {
                submitIndex = 0;
                submitEpoch++;
            }
        }
    }

    private int[] permFor(int epoch) {
        if (!shuffle) {
            return null;
        }
        if (submitPermEpoch != epoch) {
            submitPerm = Batcher.permutation(seed, epoch, folder.size());
            submitPermEpoch = epoch;
        }
        return submitPerm;
    }

    private Batch produce(int epoch, int index, int[] perm) {
        int start = index * batchSize;
        int n = Math.min(batchSize, folder.size() - start);
        int per = 3 * input * input;
        Batch out = new Batch(n, input);
        int kept = 0;
        for (int j = 0; j < n; j++) {
            int pos = start + j;
            int src = perm == null ? pos : perm[pos];
            RgbImage img;
            try {
                img = folder.read(src);
            } catch (IOException | RuntimeException | OutOfMemoryError e) {
                if (skipped.add(folder.file(src).toString()) && report != null) {
                    report.println(PrintableText.of("skipping unreadable image " + folder.file(src) + ": "
                            + ImageLoader.describe(e)));
                }
                continue;
            }
            prepare(img, epoch, pos, out.images(), kept * per);
            out.labels()[kept] = folder.label(src);
            kept++;
        }
        if (kept < n) {
            Batch compact = new Batch(kept, input);
            System.arraycopy(out.images(), 0, compact.images(), 0, kept * per);
            System.arraycopy(out.labels(), 0, compact.labels(), 0, kept);
            out = compact;
        }
        out.epoch = epoch;
        out.index = index;
        return out;
    }

    /** One image to normalised CHW floats at {@code out[offset]}: training augmentation or the centre view. */
    void prepare(RgbImage img, int epoch, int pos, float[] out, int offset) {
        if (augment) {
            SplittableRandom r = ImageTransforms.random(seed, epoch, pos);
            RgbImage resized = ImageTransforms.randomResizeShorter(img, resizeMin, resizeMax, r);
            RgbImage crop = ImageTransforms.randomCrop(resized, input, r);
            ImageTransforms.toChw(crop, r.nextBoolean(), out, offset);
            if (lightingStd > 0) {
                ImageTransforms.lighting(out, offset, input * input, lightingStd, r);
            }
        } else {
            RgbImage crop = ImageTransforms.centerCrop(Resampler.resizeShorter(img, evalResize), input);
            ImageTransforms.toChw(crop, false, out, offset);
        }
        ImageTransforms.normalise(out, offset, input, pre);
    }

    /** Configures an {@link ImageFolderLoader}. */
    public static final class Builder {
        private final ImageFolder folder;
        private final Preprocessing preprocessing;
        private final int inputSize;
        private int batchSize = 256;
        private long seed;
        private boolean shuffle = true;
        private boolean augment = true;
        private boolean dropLast = true;
        private int startEpoch;
        private int startBatch;
        private Integer endEpoch;
        private int workers = 2;
        private int prefetch;
        private int scaleMin = 256;
        private int scaleMax = 480;
        private float lightingStd = ImageTransforms.LIGHTING_STD;
        private PrintStream report = System.err;

        private Builder(ImageFolder folder, Preprocessing preprocessing, int inputSize) {
            this.folder = Objects.requireNonNull(folder, "folder");
            this.preprocessing = Objects.requireNonNull(preprocessing, "preprocessing");
            if (inputSize < 1) {
                throw new IllegalArgumentException("input size must be positive: " + inputSize);
            }
            this.inputSize = inputSize;
        }

        public Builder batchSize(int v) {
            if (v < 1) {
                throw new IllegalArgumentException("batch size must be positive: " + v);
            }
            batchSize = v;
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public Builder shuffle(boolean v) {
            shuffle = v;
            return this;
        }

        /** Random scale, crop, flip and lighting (training) or the resize-256 centre view (evaluation). */
        public Builder augment(boolean v) {
            augment = v;
            return this;
        }

        public Builder dropLast(boolean v) {
            dropLast = v;
            return this;
        }

        /** Where to start, for exact resume (see {@link Batcher.Builder#startAt}). */
        public Builder startAt(int epoch, int batch) {
            if (epoch < 0 || batch < 0) {
                throw new IllegalArgumentException("start must be non-negative: epoch " + epoch + ", batch " + batch);
            }
            startEpoch = epoch;
            startBatch = batch;
            return this;
        }

        public Builder endEpoch(int v) {
            endEpoch = v;
            return this;
        }

        public Builder workers(int v) {
            if (v < 1) {
                throw new IllegalArgumentException("workers must be >= 1: " + v);
            }
            workers = v;
            return this;
        }

        /** Batches prepared ahead (default workers + 1: enough to keep every worker busy). */
        public Builder prefetch(int v) {
            prefetch = v;
            return this;
        }

        /** Shorter-side range of the scale augmentation, in paper units for a 224 input (default 256..480). */
        public Builder scaleRange(int min, int max) {
            scaleMin = min;
            scaleMax = max;
            return this;
        }

        /** Std of the PCA lighting coefficients (default 0.1; 0 disables). */
        public Builder lighting(float std) {
            lightingStd = std;
            return this;
        }

        /** Where unreadable files are reported (null: only collected in {@link #skipped()}). */
        public Builder report(PrintStream v) {
            report = v;
            return this;
        }

        /** Evaluation: no shuffle, no augmentation, keep the last batch. */
        public Builder evaluation() {
            return shuffle(false).augment(false).dropLast(false);
        }

        public ImageFolderLoader build() {
            return new ImageFolderLoader(this);
        }
    }
}
