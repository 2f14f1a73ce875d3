package io.resnet4j.train;

import ai.djl.ndarray.NDManager;
import io.resnet4j.data.BatchSource;
import io.resnet4j.data.Batcher;
import io.resnet4j.data.CifarData;
import io.resnet4j.data.Normalization;
import io.resnet4j.data.PixelMean;
import io.resnet4j.eval.Evaluator;
import io.resnet4j.image.Preprocessing;
import io.resnet4j.model.ResNet;
import java.util.List;

/** CIFAR splits in memory: the paper's per-pixel mean, pad-4 crop and flip ({@link Batcher}). */
public final class CifarTrainingData implements TrainingData {

    private final CifarData train;
    private final CifarData val;
    private Normalization norm;

    /** @param val validation split, or null */
    public CifarTrainingData(CifarData train, CifarData val) {
        this.train = train;
        this.val = val;
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
        return CifarData.SIDE;
    }

    @Override
    public String trainSplit() {
        return String.valueOf(train.split());
    }

    @Override
    public String valSplit() {
        return val == null ? null : String.valueOf(val.split());
    }

    @Override
    public int valSize() {
        return val == null ? 0 : val.size();
    }

    @Override
    public Recipe.Augmentation augmentation() {
        return Recipe.Augmentation.PAD_CROP_FLIP;
    }

    @Override
    public Preprocessing preprocessing(Preprocessing resumed) {
        float[] meanImage = resumed != null ? resumed.meanImage() : PixelMean.compute(train);
        norm = Normalization.paper(meanImage);
        return Preprocessing.perPixelMean(meanImage, norm.std(), CifarData.SIDE);
    }

    @Override
    public BatchSource trainBatches(TrainConfig config, int startEpoch, int startBatch, int endEpoch) {
        return Batcher.builder(train, requireNorm()).batchSize(config.batchSize()).seed(config.seed()).shuffle(true)
                .augment(augments(config.augmentation())).dropLast(true).startAt(startEpoch, startBatch).endEpoch(endEpoch)
                .workers(config.workers()).build();
    }

    @Override
    public double validationError(ResNet net, NDManager manager) {
        return val == null ? Double.NaN : Evaluator.evaluate(net, val, requireNorm(), 500, manager).top1Error();
    }

    private Normalization requireNorm() {
        if (norm == null) {
            throw new IllegalStateException("call preprocessing() before asking for batches");
        }
        return norm;
    }
}
