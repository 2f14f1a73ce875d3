package io.resnet4j.detection.train;

import ai.djl.ndarray.NDManager;
import io.resnet4j.data.Batcher;
import io.resnet4j.detection.AnnotatedImage;
import io.resnet4j.detection.AnnotatedObject;
import io.resnet4j.detection.DetectionDataset;
import io.resnet4j.detection.ops.Boxes;
import io.resnet4j.detection.ops.DetectionTransform;
import io.resnet4j.image.ImageLoader;
import io.resnet4j.image.RgbImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * The training images of a detection data set in the order a run sees them: each epoch a shuffle
 * seeded by (seed, epoch) only, batches of consecutive images, the last incomplete batch dropped, and
 * each image flipped or not by (seed, step, place in the batch). The order follows from the step
 * alone, so a resumed run sees what an uninterrupted one would have seen.
 *
 * <p>Objects marked {@code difficult} (Pascal VOC) or {@code crowd} (COCO) and boxes without area
 * are left out of the targets, as py-faster-rcnn and Detectron leave them out; an image left without
 * objects trains the detector on background only.
 */
public final class DetectionTrainingSet {

    private final DetectionDataset data;
    private final long maxPixels;

    /**
     * @param maxPixels images larger than this are refused unread (a decompression bomb)
     */
    public DetectionTrainingSet(DetectionDataset data, long maxPixels) {
        this.data = Objects.requireNonNull(data, "data: open one with DetectionData.open");
        this.maxPixels = maxPixels;
        if (data.images().isEmpty()) {
            throw new IllegalArgumentException("the training split has no images");
        }
    }

    public DetectionDataset dataset() {
        return data;
    }

    public int size() {
        return data.images().size();
    }

    public List<String> classNames() {
        return data.classNames();
    }

    /** Steps per epoch for a batch size (the last incomplete batch is dropped). */
    public int batchesPerEpoch(int batchSize) {
        return Batcher.batchesPerEpoch(size(), batchSize, true);
    }

    /**
     * The images of step {@code step} (0-based), as indices into the data set's images.
     *
     * @throws IllegalArgumentException when the data set has fewer images than one batch
     */
    public int[] batch(long seed, long step, int batchSize) {
        int perEpoch = batchesPerEpoch(batchSize);
        if (perEpoch < 1) {
            throw new IllegalArgumentException("the training split has " + size() + " images, fewer than one batch of "
                    + batchSize);
        }
        int[] order = Batcher.permutation(seed, Math.toIntExact(step / perEpoch), size());
        int start = (int) (step % perEpoch) * batchSize;
        return java.util.Arrays.copyOfRange(order, start, start + batchSize);
    }

    /** The randomness of one image of a step (its flip and its examples), fixed by (seed, step, place). */
    public static SplittableRandom random(long seed, long step, int place) {
        return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + step * 0xBF58476D1CE4E5B9L + place);
    }

    /**
     * Reads, optionally mirrors, resizes and normalises image {@code index}, with its objects' boxes
     * taken along.
     *
     * @throws IOException naming the file when it cannot be read
     */
    public TrainingImage load(int index, boolean flip, DetectionTransform transform, NDManager manager)
            throws IOException {
        AnnotatedImage a = data.images().get(index);
        RgbImage image = ImageLoader.read(a.file(), maxPixels, warning -> {});
        if (flip) {
            image = mirrored(image);
        }
        List<float[]> boxes = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (AnnotatedObject o : a.objects()) {
            if (o.difficult() || o.crowd() || !(o.box().width() > 0 && o.box().height() > 0)) {
                continue;
            }
            float[] b = o.box().toArray();
            boxes.add(flip ? new float[] {image.width() - b[2], b[1], image.width() - b[0], b[3]} : b);
            labels.add(o.label());
        }
        DetectionTransform.Input input = transform.apply(manager, image);
        float[] rows = new float[4 * boxes.size()];
        for (int i = 0; i < boxes.size(); i++) {
            System.arraycopy(boxes.get(i), 0, rows, 4 * i, 4);
        }
        Boxes.rescale(rows, image.height(), image.width(), input.height(), input.width());
        return new TrainingImage(input, rows, labels.stream().mapToInt(Integer::intValue).toArray());
    }

    /** The image mirrored left to right. */
    static RgbImage mirrored(RgbImage image) {
        int w = image.width();
        byte[] in = image.rgb();
        byte[] out = new byte[in.length];
        for (int y = 0; y < image.height(); y++) {
            int row = y * w * 3;
            for (int x = 0; x < w; x++) {
                System.arraycopy(in, row + 3 * x, out, row + 3 * (w - 1 - x), 3);
            }
        }
        return new RgbImage(w, image.height(), out);
    }
}
