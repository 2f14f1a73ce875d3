package io.resnet4j.train;

import ai.djl.ndarray.NDManager;
import io.resnet4j.data.BatchSource;
import io.resnet4j.image.Preprocessing;
import io.resnet4j.model.ResNet;
import java.io.IOException;
import java.util.List;

/**
 * What the training loop needs from a data set, whatever its storage: CIFAR bytes in memory
 * ({@link CifarTrainingData}) or folders of JPEG/PNG files ({@link ImageFolderTrainingData}).
 */
public interface TrainingData {

    /** Training images. */
    int size();

    List<String> classNames();

    default int numClasses() {
        return classNames().size();
    }

    /** Side of the square network input the batches have. */
    int inputSize();

    /** How the training split is named in run.json ("train45k", "train", ...). */
    String trainSplit();

    /** The validation split's name, or null when there is none. */
    String valSplit();

    /** Validation images (0 when none). */
    int valSize();

    /**
     * Fixes the input normalisation before the first batch: the one a resumed run recorded in its
     * checkpoint, or a fresh one (computing statistics of the training split where needed).
     *
     * @param resumed the checkpoint's preprocessing, or null for a new run
     * @return the preprocessing batches use and checkpoints record
     */
    Preprocessing preprocessing(Preprocessing resumed) throws IOException;

    /** Shuffled, augmented training batches from (startEpoch, startBatch) to the end of endEpoch - 1. */
    BatchSource trainBatches(TrainConfig config, int startEpoch, int startBatch, int endEpoch);

    /** Top-1 error of the network on the validation split (inference mode), or NaN when there is none. */
    double validationError(ResNet net, NDManager manager);
}
