package io.resnet4j.train;

import ai.djl.ndarray.NDManager;
import io.resnet4j.data.Batch;
import io.resnet4j.data.BatchSource;
import io.resnet4j.data.ImageFolder;
import io.resnet4j.data.ImageFolderLoader;
import io.resnet4j.data.ImageTransforms;
import io.resnet4j.eval.TestProtocols;
import io.resnet4j.image.Preprocessing;
import io.resnet4j.model.ResNet;
import java.util.List;

/**
 * {@code ROOT/train} and {@code ROOT/val} image folders with the paper's ImageNet augmentation.
 * Normalisation: per-channel ImageNet mean and std (torchvision's, the default, so checkpoints
 * work with every tool that expects ImageNet preprocessing), or the paper's per-pixel mean image,
 * estimated from the centre views of up to {@link #PIXEL_MEAN_IMAGES} training images.
 */
public final class ImageFolderTrainingData implements TrainingData {

    /** Images the per-pixel mean is estimated from (a mean over more changes it by well under 1/255). */
    public static final int PIXEL_MEAN_IMAGES = 2_000;

    private final ImageFolder train;
    private final ImageFolder val;
    private final int inputSize;
    private final boolean perPixelMean;
    private final int workers;
    private Preprocessing pre;

    /** @param val the validation folder, or null */
    public ImageFolderTrainingData(ImageFolder train, ImageFolder val, int inputSize, boolean perPixelMean, int workers) {
        this.train = train;
        this.val = val;
        this.inputSize = inputSize;
        this.perPixelMean = perPixelMean;
        this.workers = workers;
        if (val != null && !val.classNames().equals(train.classNames())) {
            throw new IllegalArgumentException("the class folders of " + val.root() + " differ from those of "
                    + train.root() + "; both need the same <class> sub-folders");
        }
    }

    @Override
    public int size() {
        return train.size();
    }

    @Override
    public List<String> classNames() {
        return train.classNames();
    }

    @Override
    public int inputSize() {
        return inputSize;
    }

    @Override
    public String trainSplit() {
        return "train";
    }

    @Override
    public String valSplit() {
        return val == null ? null : "val";
    }

    @Override
    public int valSize() {
        return val == null ? 0 : val.size();
    }

    @Override
    public Recipe.Augmentation augmentation() {
        return Recipe.Augmentation.SCALE_CROP_FLIP_LIGHTING;
    }

    @Override
    public Preprocessing preprocessing(Preprocessing resumed) {
        if (resumed != null) {
            pre = resumed;
        } else {
            Preprocessing channel = Preprocessing.imagenet();
            int resize = ImageTransforms.scaled(256, inputSize);
            pre = new Preprocessing(Preprocessing.MEAN_STD, inputSize, resize, inputSize, channel.channelMean(),
                    channel.channelStd(), null);
            if (perPixelMean) {
                pre = new Preprocessing(Preprocessing.PER_PIXEL_MEAN, inputSize, resize, inputSize, null,
                        channel.channelStd(), pixelMean());
            }
        }
        return pre;
    }

    /** Mean of the centre views (resize, centre crop) in [0, 1] units, CHW. */
    private float[] pixelMean() {
        // mean 0, std 1 leaves the pixels in [0, 1]: the loader then yields exactly what we average.
        Preprocessing identity = new Preprocessing(Preprocessing.MEAN_STD, inputSize, 0, inputSize,
                new float[3], new float[] {1, 1, 1}, null);
        int per = 3 * inputSize * inputSize;
        double[] sum = new double[per];
        long n = 0;
        try (ImageFolderLoader l = ImageFolderLoader.builder(train, identity, inputSize).batchSize(64)
                .shuffle(true).augment(false).dropLast(false).seed(0).workers(workers).build()) {
            while (l.hasNext() && n < PIXEL_MEAN_IMAGES) {
                Batch b = l.next();
                for (int i = 0; i < b.size(); i++) {
                    for (int j = 0; j < per; j++) {
                        sum[j] += b.images()[i * per + j];
                    }
                }
                n += b.size();
            }
        }
        float[] mean = new float[per];
        for (int j = 0; j < per; j++) {
            mean[j] = (float) (sum[j] / n);
        }
        return mean;
    }

    @Override
    public BatchSource trainBatches(TrainConfig config, int startEpoch, int startBatch, int endEpoch) {
        return ImageFolderLoader.builder(train, requirePre(), inputSize).batchSize(config.batchSize())
                .seed(config.seed()).shuffle(true).augment(augments(config.augmentation())).dropLast(true)
                .startAt(startEpoch, startBatch).endEpoch(endEpoch).workers(config.workers()).build();
    }

    @Override
    public double validationError(ResNet net, NDManager manager) {
        if (val == null) {
            return Double.NaN;
        }
        return TestProtocols.center(net, val, requirePre(), inputSize, 64, workers, manager).top1Error();
    }

    private Preprocessing requirePre() {
        if (pre == null) {
            throw new IllegalStateException("call preprocessing() before asking for batches");
        }
        return pre;
    }
}
