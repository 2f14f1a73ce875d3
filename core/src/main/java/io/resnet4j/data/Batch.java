package io.resnet4j.data;

/**
 * One mini-batch from a {@link BatchSource} ({@link Batcher} or {@link ImageFolderLoader}): normalised images and their labels as plain arrays.
 *
 * <p>Why plain arrays: the data pipeline stays engine-independent and testable; the trainer wraps
 * {@link #images()} into an NDArray of shape {@code (size, 3, side, side)}. {@code images().length} is
 * always exactly {@code size() * 3 * side * side} and {@code labels().length} exactly {@code size()}, so the arrays
 * can be wrapped whole even for a short last batch.
 *
 * <p>A source reuses the arrays of a batch once the consumer asks for the next one (see
 * {@link PrefetchingBatches}): a batch is valid until the next {@link BatchSource#next()} or
 * {@link BatchSource#close()}. Use {@link #copy()} to keep it.
 */
public final class Batch {
    private final float[] images;
    private final int[] labels;
    private final int side;
    int epoch;
    int index;
    /** Images a filler actually wrote (see {@link PrefetchingBatches.Filler#fill}). */
    int kept;

    Batch(int size) {
        this(size, CifarData.SIDE);
    }

    /** A batch of square images of any side (image folders crop to the network's input size). */
    Batch(int size, int side) {
        this.images = new float[size * 3 * side * side];
        this.labels = new int[size];
        this.side = side;
    }

    private Batch(float[] images, int[] labels, int side, int epoch, int index) {
        this.images = images;
        this.labels = labels;
        this.side = side;
        this.epoch = epoch;
        this.index = index;
    }

    /** @return side of the square images (32 for CIFAR) */
    public int side() {
        return side;
    }

    /** @return normalised images, {@code size() * 3 * side() * side()} floats, CHW per image */
    public float[] images() {
        return images;
    }

    /** @return labels, one per image */
    public int[] labels() {
        return labels;
    }

    /** @return number of images in this batch (the batch size, or fewer for a kept short last batch) */
    public int size() {
        return labels.length;
    }

    /** @return the epoch this batch belongs to, from 0 */
    public int epoch() {
        return epoch;
    }

    /** @return the index of this batch within its epoch, from 0 */
    public int index() {
        return index;
    }

    /** A batch of the first {@code n} images, in arrays of its own. */
    Batch prefix(int n) {
        int per = 3 * side * side;
        Batch b = new Batch(java.util.Arrays.copyOf(images, n * per), java.util.Arrays.copyOf(labels, n), side, epoch,
                index);
        b.kept = n;
        return b;
    }

    /** @return an independent copy that stays valid after the batcher moves on */
    public Batch copy() {
        return new Batch(images.clone(), labels.clone(), side, epoch, index);
    }

    @Override
    public String toString() {
        return "Batch[epoch " + epoch + ", index " + index + ", " + size() + " images]";
    }
}
