package io.resnet4j.spark;

import io.resnet4j.inference.ImageClassifier;
import io.resnet4j.inference.Prediction;
import java.util.List;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReadable;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Classifies encoded images: adds the {@link #topK()} most probable classes of each image, most
 * probable first, as {@code array<struct<index:int,name:string,probability:float>>}.
 *
 * <pre>{@code
 * Dataset<Row> images = spark.read().format("binaryFile").option("pathGlobFilter", "*.jpg").load("photos/");
 * Dataset<Row> ranked = new ResNetImageClassifier().setWeights("resnet50.safetensors").setTopK(3)
 *         .transform(images).select("path", "prediction", "error");
 * }</pre>
 */
public final class ResNetImageClassifier extends ResNetImageTransformer<ResNetImageClassifier> {
    private static final long serialVersionUID = 1L;

    /** One ranked class: the same fields as {@link Prediction}. */
    public static final StructType PREDICTION = new StructType()
            .add("index", DataTypes.IntegerType, false)
            .add("name", DataTypes.StringType, true)
            .add("probability", DataTypes.FloatType, false);

    private final IntParam topK;

    public ResNetImageClassifier() {
        this(Identifiable.randomUID("resnet4jImageClassifier"));
    }

    /** With a given uid, as Spark's persistence restores stages. */
    public ResNetImageClassifier(String uid) {
        super(uid, "prediction");
        topK = new IntParam(this, "topK", "classes per image, most probable first (at least 1)", ParamValidators.gtEq(1));
        setDefault(topK, 5);
    }

    public IntParam topK() {
        return topK;
    }

    public ResNetImageClassifier setTopK(int value) {
        set(topK, value);
        return this;
    }

    public int getTopK() {
        return (Integer) getOrDefault(topK);
    }

    @Override
    ImageHead head() {
        return new TopK(getTopK());
    }

    /** Reads a classifier saved with {@code write().save(path)} or inside a saved Pipeline. */
    public static MLReader<ResNetImageClassifier> read() {
        return new Readable().read();
    }

    public static ResNetImageClassifier load(String path) {
        return read().load(path);
    }

    private static final class Readable implements DefaultParamsReadable<ResNetImageClassifier> {}

    /** The top-k predictions of each image, as rows of {@link #PREDICTION}. */
    record TopK(int k) implements ImageHead {
        @Override
        public DataType type() {
            return DataTypes.createArrayType(PREDICTION, false);
        }

        @Override
        public Object[] compute(ImageClassifier model, float[] input, int side, List<Row> rows) {
            List<List<Prediction>> ranked = model.classifyInput(input, rows.size(), k);
            Object[] values = new Object[rows.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = rows(ranked.get(i));
            }
            return values;
        }
    }

    /** Ranked classes as rows of {@link #PREDICTION}. */
    static Row[] rows(List<Prediction> ranked) {
        return ranked.stream().map(p -> RowFactory.create(p.index(), p.name(), p.probability())).toArray(Row[]::new);
    }
}
