package io.resnet4j.spark;

import io.resnet4j.image.ImageTransform;
import io.resnet4j.inference.ImageClassifier;
import java.io.Serializable;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;

/** What a transformer computes from a batch of images: one value of {@link #type()} per image. */
interface ImageHead extends Serializable {

    /** The column type of the values. */
    DataType type();

    /** How images become network input: the model's own transform unless the head needs another view. */
    default ImageTransform transform(ImageClassifier model) {
        return model.transform();
    }

    /**
     * One value per image of a batch.
     *
     * @param input the {@code rows.size()} images, NCHW, from {@link #transform}
     * @param rows the rows the images came from, in the same order
     */
    Object[] compute(ImageClassifier model, float[] input, int side, List<Row> rows);
}
