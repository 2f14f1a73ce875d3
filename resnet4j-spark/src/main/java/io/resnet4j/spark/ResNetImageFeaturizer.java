package io.resnet4j.spark;

import io.resnet4j.inference.ImageClassifier;
import java.util.List;
import org.apache.spark.ml.util.DefaultParamsReadable;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/**
 * Embeds encoded images: adds each image's pooled penultimate features ({@code array<float>}: 512
 * numbers for ResNet-18/34, 2048 for ResNet-50 and deeper, 64 for the CIFAR nets), the input of
 * transfer learning, retrieval and clustering.
 *
 * <pre>{@code
 * Dataset<Row> embedded = new ResNetImageFeaturizer().setWeights("resnet50.safetensors")
 *         .transform(spark.read().format("binaryFile").load("photos/"));
 * }</pre>
 */
public final class ResNetImageFeaturizer extends ResNetImageTransformer<ResNetImageFeaturizer> {
    private static final long serialVersionUID = 1L;

    public ResNetImageFeaturizer() {
        this(Identifiable.randomUID("resnet4jImageFeaturizer"));
    }

    /** With a given uid, as Spark's persistence restores stages. */
    public ResNetImageFeaturizer(String uid) {
        super(uid, "features");
    }

    @Override
    ImageHead head() {
        return new PooledFeatures();
    }

    /** Reads a featurizer saved with {@code write().save(path)} or inside a saved Pipeline. */
    public static MLReader<ResNetImageFeaturizer> read() {
        return new Readable().read();
    }

    public static ResNetImageFeaturizer load(String path) {
        return read().load(path);
    }

    private static final class Readable implements DefaultParamsReadable<ResNetImageFeaturizer> {}

    /** The pooled feature vector of each image. */
    record PooledFeatures() implements ImageHead {
        @Override
        public DataType type() {
            return DataTypes.createArrayType(DataTypes.FloatType, false);
        }

        @Override
        public Object[] compute(ImageClassifier model, float[] input, int side, List<Row> rows) {
            ImageClassifier.FeatureMaps features = model.features(input, rows.size(), side, side);
            Object[] values = new Object[rows.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = features.item(i);
            }
            return values;
        }
    }
}
