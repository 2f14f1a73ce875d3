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

    /** The augmentation its training batches apply when asked to augment. */
    Recipe.Augmentation augmentation();

    /**
     * Whether training batches are augmented for a recipe's kind of augmentation.
     *
     * @throws InvalidConfigException when this data cannot apply that kind (CIFAR bytes have no
     *     scale augmentation, image folders no pad-4 crop)
     */
    default boolean augments(Recipe.Augmentation kind) {
        if (kind == Recipe.Augmentation.NONE) {
            return false;
        }
        if (kind == Recipe.Augmentation.DATA_DEFAULT || kind == augmentation()) {
            return true;
        }
        throw new InvalidConfigException("augmentation", "the " + kind.label() + " augmentation does not apply to "
                + trainSplit() + " data that augments with " + augmentation().label() + "; choose the recipe made for"
                + " this data");
    }

    /** Shuffled, augmented training batches from (startEpoch, startBatch) to the end of endEpoch - 1. */
    BatchSource trainBatches(TrainConfig config, int startEpoch, int startBatch, int endEpoch);

    /** Top-1 error of the network on the validation split (inference mode), or NaN when there is none. */
    double validationError(ResNet net, NDManager manager);
}
