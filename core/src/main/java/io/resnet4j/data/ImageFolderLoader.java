package io.resnet4j.data;

import io.resnet4j.image.ImageLoader;
import io.resnet4j.image.ImageTransform;
import io.resnet4j.image.Preprocessing;
import io.resnet4j.image.RgbImage;
import io.resnet4j.io.PrintableText;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Mini-batches from an {@link ImageFolder}: JPEG/PNG decoding and the paper's ImageNet augmentation
 * ({@link ImageTransforms}) on worker threads, several batches ahead of the consumer, in recycled
 * buffers ({@link PrefetchingBatches}, shared with {@link Batcher}).
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

    private final FolderFiller filler;
    private final PrefetchingBatches batches;

    private ImageFolderLoader(Builder b) {
        this.filler = new FolderFiller(b);
        this.batches = new PrefetchingBatches(filler, b, "resnet4j-images-");
    }

    /** Training defaults: batch 256, shuffled, the paper's augmentation, drop last, 2 workers. */
    public static Builder builder(ImageFolder folder, Preprocessing preprocessing, int inputSize) {
        return new Builder(folder, preprocessing, inputSize);
    }

    @Override
    public int batchesPerEpoch() {
        return batches.batchesPerEpoch();
    }

    /** Files that could not be decoded so far (reported once each). */
    public List<String> skipped() {
        List<String> l = new ArrayList<>(filler.skipped);
        Collections.sort(l);
        return l;
    }

    @Override
    public boolean hasNext() {
        return batches.hasNext();
    }

    /** @return the next batch; valid until the next call or {@link #close()} */
    @Override
    public Batch next() {
        return batches.next();
    }

    @Override
    public void close() {
        batches.close();
    }

    /** Decodes, augments and normalises files; unreadable ones are reported once and left out. */
    private static final class FolderFiller implements PrefetchingBatches.Filler {
        private final ImageFolder folder;
        private final Preprocessing pre;
        private final int input;
        private final long seed;
        private final boolean augment;
        private final int resizeMin;
        private final int resizeMax;
        private final int evalResize;
        private final float lightingStd;
        private final PrintStream report;
        private final Set<String> skipped = ConcurrentHashMap.newKeySet();

        FolderFiller(Builder b) {
            this.folder = b.folder;
            this.pre = b.preprocessing;
            this.input = b.inputSize;
            this.seed = b.seed;
            this.augment = b.augment;
            this.resizeMin = ImageTransforms.scaled(b.scaleMin, input);
            this.resizeMax = ImageTransforms.scaled(b.scaleMax, input);
            this.evalResize = ImageTransforms.scaled(256, input);
            this.lightingStd = b.lightingStd;
            this.report = b.report;
        }

        @Override
        public int size() {
            return folder.size();
        }

        @Override
        public int side() {
            return input;
        }

        @Override
        public int fill(int epoch, int start, int[] order, Batch out) {
            int per = 3 * input * input;
            int kept = 0;
            for (int j = 0, n = out.size(); j < n; j++) {
                int pos = start + j;
                int src = order == null ? pos : order[pos];
                RgbImage img = read(src);
                if (img != null) {
                    prepare(img, epoch, pos, out.images(), kept * per);
                    out.labels()[kept++] = folder.label(src);
                }
            }
            return kept;
        }

        /** The decoded image, or null (reported once) when the file cannot be read. */
        private RgbImage read(int i) {
            try {
                return folder.read(i);
            } catch (IOException | RuntimeException | OutOfMemoryError e) {
                // One bad image must not stop a run: it is reported once and left out.
                if (skipped.add(folder.file(i).toString()) && report != null) {
                    report.println(PrintableText.of("skipping unreadable image " + folder.file(i) + ": "
                            + ImageLoader.describe(e)));
                }
                return null;
            }
        }

        /** One image to normalised CHW floats at {@code out[offset]}: training augmentation or the centre view. */
        private void prepare(RgbImage img, int epoch, int pos, float[] out, int offset) {
            if (augment) {
                SplittableRandom r = ImageTransforms.random(seed, epoch, pos);
                RgbImage crop = ImageTransforms.randomResizedCrop(img, resizeMin, resizeMax, input, r);
                ImageTransforms.toChw(crop, r.nextBoolean(), out, offset);
                if (lightingStd > 0) {
                    ImageTransforms.lighting(out, offset, input * input, lightingStd, r);
                }
            } else {
                RgbImage crop = ImageTransform.resizedCenterCrop(img, evalResize, input);
                ImageTransforms.toChw(crop, false, out, offset);
            }
            ImageTransforms.normalise(out, offset, input, pre);
        }

        @Override
        public String toString() {
            return folder.toString();
        }
    }

    /** Configures an {@link ImageFolderLoader}. */
    public static final class Builder extends PrefetchingBatches.Options<Builder> {
        private final ImageFolder folder;
        private final Preprocessing preprocessing;
        private final int inputSize;
        private int scaleMin = 256;
        private int scaleMax = 480;
        private float lightingStd = ImageTransforms.LIGHTING_STD;
        private PrintStream report = System.err;

        private Builder(ImageFolder folder, Preprocessing preprocessing, int inputSize) {
            super(256, 1, 0); // decoding is slow: always on worker threads, each kept busy
            this.folder = Objects.requireNonNull(folder, "folder");
            this.preprocessing = Objects.requireNonNull(preprocessing, "preprocessing");
            if (inputSize < 1) {
                throw new IllegalArgumentException("input size must be positive: " + inputSize);
            }
            this.inputSize = inputSize;
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

        public ImageFolderLoader build() {
            return new ImageFolderLoader(this);
        }
    }
}
