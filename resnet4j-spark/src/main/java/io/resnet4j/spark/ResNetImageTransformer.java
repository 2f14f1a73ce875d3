package io.resnet4j.spark;

import java.util.Arrays;
import java.util.List;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * What the classifier and the featurizer share: the weights, the binary image column they read
 * (the {@code content} column of Spark's {@code binaryFile} source, or any binary column of
 * encoded JPEG/PNG images), the value and error columns they add, and how rows are batched.
 *
 * <p>Every input column is kept; two are added: the value ({@link #outputCol()}, null for an image
 * that could not be decoded) and {@link #errorCol()} (null, or why the image could not be decoded).
 * The model is opened once per executor JVM and shared by its tasks ({@link ModelCache}), on ONNX
 * Runtime with {@code spark.task.cpus} intra-op threads per task.
 *
 * @param <T> the concrete transformer, so setters chain
 */
public abstract class ResNetImageTransformer<T extends ResNetImageTransformer<T>> extends Transformer
        implements DefaultParamsWritable {
    private static final long serialVersionUID = 1L;

    private final String uid;
    private final Param<String> weights;
    private final BooleanParam shipModel;
    private final Param<String> inputCol;
    private final Param<String> outputCol;
    private final Param<String> errorCol;
    private final IntParam batchSize;

    protected ResNetImageTransformer(String uid, String defaultOutputCol) {
        this.uid = uid;
        weights = new Param<>(this, "weights", "a resnet4j checkpoint (.safetensors), torchvision .pth or .safetensors"
                + " state_dict, or a resnet4j .onnx export: a path the driver can read, or every executor when"
                + " shipModel is false");
        shipModel = new BooleanParam(this, "shipModel", "true: the driver reads the weights once and broadcasts them"
                + " as an ONNX export (executors need neither the file nor libtorch); false: each executor opens"
                + " weights itself");
        inputCol = new Param<>(this, "inputCol", "binary column of encoded images (JPEG or PNG)");
        outputCol = new Param<>(this, "outputCol", "column to add with each image's result (null where it failed)");
        errorCol = new Param<>(this, "errorCol", "column to add with why an image failed (null where it did not)");
        batchSize = new IntParam(this, "batchSize", "images per forward pass (at least 1)", ParamValidators.gtEq(1));
        setDefault(shipModel, true);
        setDefault(inputCol, "content");
        setDefault(outputCol, defaultOutputCol);
        setDefault(errorCol, "error");
        setDefault(batchSize, 16);
    }

    /** What the transformer computes from a batch of decoded images. */
    abstract ImageHead head();

    @SuppressWarnings("unchecked")
    private T self() {
        return (T) this;
    }

    @Override
    public String uid() {
        return uid;
    }

    public Param<String> weights() {
        return weights;
    }

    public BooleanParam shipModel() {
        return shipModel;
    }

    public Param<String> inputCol() {
        return inputCol;
    }

    public Param<String> outputCol() {
        return outputCol;
    }

    public Param<String> errorCol() {
        return errorCol;
    }

    public IntParam batchSize() {
        return batchSize;
    }

    public T setWeights(String value) {
        set(weights, value);
        return self();
    }

    public T setShipModel(boolean value) {
        set(shipModel, value);
        return self();
    }

    public T setInputCol(String value) {
        set(inputCol, value);
        return self();
    }

    public T setOutputCol(String value) {
        set(outputCol, value);
        return self();
    }

    public T setErrorCol(String value) {
        set(errorCol, value);
        return self();
    }

    public T setBatchSize(int value) {
        set(batchSize, value);
        return self();
    }

    public String getWeights() {
        return getOrDefault(weights);
    }

    public boolean getShipModel() {
        return (Boolean) getOrDefault(shipModel);
    }

    public String getInputCol() {
        return getOrDefault(inputCol);
    }

    public String getOutputCol() {
        return getOrDefault(outputCol);
    }

    public String getErrorCol() {
        return getOrDefault(errorCol);
    }

    public int getBatchSize() {
        return (Integer) getOrDefault(batchSize);
    }

    @Override
    public StructType transformSchema(StructType schema) {
        if (!isDefined(weights)) {
            throw new IllegalArgumentException(uid + ": weights is not set; call setWeights(path)");
        }
        List<String> columns = Arrays.asList(schema.fieldNames());
        if (!columns.contains(getInputCol())) {
            throw new IllegalArgumentException("input column '" + getInputCol() + "' not found among " + columns);
        }
        DataType input = schema.apply(getInputCol()).dataType();
        if (!(input instanceof BinaryType)) {
            throw new IllegalArgumentException("input column '" + getInputCol() + "' must hold encoded images (binary),"
                    + " not " + input.simpleString());
        }
        for (String added : List.of(getOutputCol(), getErrorCol())) {
            if (columns.contains(added)) {
                throw new IllegalArgumentException("column '" + added + "' already exists; choose another with"
                        + " setOutputCol or setErrorCol");
            }
        }
        if (getOutputCol().equals(getErrorCol())) {
            throw new IllegalArgumentException("outputCol and errorCol are both '" + getOutputCol() + "'");
        }
        return schema.add(getOutputCol(), head().type(), true).add(getErrorCol(), DataTypes.StringType, true);
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType out = transformSchema(dataset.schema());
        ModelSource model = getShipModel() ? ModelSource.shipped(dataset.sparkSession(), getWeights())
                : ModelSource.onPath(getWeights());
        BatchedInference batches = new BatchedInference(model, dataset.schema().fieldIndex(getInputCol()),
                getInputCol(), getBatchSize(), head());
        return dataset.toDF().mapPartitions(batches, Encoders.row(out));
    }

    @Override
    public T copy(ParamMap extra) {
        return defaultCopy(extra);
    }
}
