package io.resnet4j.spark;

import io.resnet4j.data.ImageTransforms;
import io.resnet4j.eval.ConfusionMatrix;
import io.resnet4j.eval.Evaluator;
import io.resnet4j.image.ImageTransform;
import io.resnet4j.inference.ImageClassifier;
import io.resnet4j.inference.Prediction;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The centre-view test of {@code resnet4j eval} on an image folder, over a cluster: each image's
 * label is the name of its parent folder, mapped by name to the model's classes; the view is the
 * evaluation one (shorter side resized to round(256 N / 224), centre crop N); top-1 and top-k
 * count exactly as the core's {@link io.resnet4j.eval.Tally} does, from the logits.
 */
public final class ImageFolderEvaluation {

    /** Columns of the per-image results. */
    public static final String PATH = "path";
    public static final String LABEL = "label";
    public static final String LABEL_INDEX = "label_index";
    public static final String PREDICTED_INDEX = "predicted_index";
    public static final String CORRECT = "correct";
    public static final String IN_TOP_K = "in_top_k";
    public static final String PREDICTION = "prediction";
    public static final String ERROR = "error";

    private final ModelSource source;
    private final List<String> classNames;
    private final String modelName;
    private final int k;

    private ImageFolderEvaluation(ModelSource source, ImageClassifier model) {
        this.source = source;
        this.classNames = model.classNames();
        this.modelName = model.config().spec().name();
        this.k = Math.min(5, classNames.size());
    }

    /** Opens the model on the driver (the one of this JVM, shared with local tasks) to learn its classes. */
    public static ImageFolderEvaluation of(SparkSession spark, ModelSource source) {
        int threads = spark.sparkContext().getConf().getInt("spark.task.cpus", 1);
        return new ImageFolderEvaluation(source, ModelCache.get(source, threads));
    }

    public List<String> classNames() {
        return classNames;
    }

    public String modelName() {
        return modelName;
    }

    /** The k of the second error: 5, or the number of classes when fewer. */
    public int k() {
        return k;
    }

    /** The class folder an image path names: its parent folder (percent-escapes decoded). */
    public static String parentFolder(String path) {
        String p = path.contains(":") ? URI.create(path).getPath() : path;
        String[] parts = p.split("/");
        return parts.length < 2 ? "" : parts[parts.length - 2];
    }

    /**
     * Folder names that are not classes of the model (sorted); evaluation refuses to run unless
     * this is empty.
     */
    public List<String> unknownFolders(Dataset<Row> images) {
        List<String> folders = images.select(PATH).as(Encoders.STRING())
                .map((org.apache.spark.api.java.function.MapFunction<String, String>) ImageFolderEvaluation::parentFolder,
                        Encoders.STRING())
                .distinct().collectAsList();
        TreeSet<String> unknown = new TreeSet<>(folders);
        unknown.removeAll(classNames);
        return new ArrayList<>(unknown);
    }

    /**
     * Per-image results of images ({@code path} and binary {@code content} columns): path, label,
     * label_index, predicted_index, correct, in_top_k, prediction (top-k), error.
     */
    public Dataset<Row> score(Dataset<Row> images, int batchSize) {
        UDF1<String, String> parent = ImageFolderEvaluation::parentFolder;
        Dataset<Row> labelled = images.select(PATH, "content")
                .withColumn(LABEL, functions.udf(parent, DataTypes.StringType).apply(functions.col(PATH)));
        StructType schema = labelled.schema();
        StructType out = schema.add("scored", Scores.TYPE, true).add(ERROR, DataTypes.StringType, true);
        Scores head = new Scores(schema.fieldIndex(LABEL), classNames, k);
        Dataset<Row> scored = labelled.mapPartitions(
                new BatchedInference(source, schema.fieldIndex("content"), "content", batchSize, head),
                Encoders.row(out));
        return scored.select(functions.col(PATH), functions.col(LABEL), functions.col("scored." + LABEL_INDEX),
                functions.col("scored." + PREDICTED_INDEX), functions.col("scored." + CORRECT),
                functions.col("scored." + IN_TOP_K), functions.col("scored." + PREDICTION), functions.col(ERROR));
    }

    /** Top-1 and top-k errors and the confusion matrix from per-image results (failed images left out). */
    public Evaluator.Result tally(Dataset<Row> results) {
        Dataset<Row> scored = results.filter(functions.col(ERROR).isNull());
        ConfusionMatrix confusion = new ConfusionMatrix(classNames);
        long images = 0;
        long top1Errors = 0;
        for (Row r : scored.groupBy(LABEL_INDEX, PREDICTED_INDEX).count().collectAsList()) {
            int label = r.getInt(0);
            int predicted = r.getInt(1);
            long n = r.getLong(2);
            for (long i = 0; i < n; i++) {
                confusion.add(label, predicted);
            }
            images += n;
            top1Errors += label == predicted ? 0 : n;
        }
        long topKErrors = scored.filter(functions.not(functions.col(IN_TOP_K))).count();
        return new Evaluator.Result(images, top1Errors, topKErrors, confusion);
    }

    /** Labels and ranks one batch: the eval view, the logits, and the core's top-1 and top-k rules. */
    static final class Scores implements ImageHead {
        private static final long serialVersionUID = 1L;

        static final StructType TYPE = new StructType()
                .add(LABEL_INDEX, DataTypes.IntegerType, false)
                .add(PREDICTED_INDEX, DataTypes.IntegerType, false)
                .add(CORRECT, DataTypes.BooleanType, false)
                .add(IN_TOP_K, DataTypes.BooleanType, false)
                .add(PREDICTION, DataTypes.createArrayType(ResNetImageClassifier.PREDICTION, false), false);

        private final int labelColumn;
        private final HashMap<String, Integer> classIndex = new HashMap<>();
        private final int k;

        Scores(int labelColumn, List<String> classNames, int k) {
            this.labelColumn = labelColumn;
            for (int c = 0; c < classNames.size(); c++) {
                classIndex.putIfAbsent(classNames.get(c), c);
            }
            this.k = k;
        }

        @Override
        public DataType type() {
            return TYPE;
        }

        /** {@code bin/resnet4j eval}'s centre view, whatever resize the weights carry for prediction. */
        @Override
        public ImageTransform transform(ImageClassifier model) {
            int input = model.config().inputSize();
            return ImageTransform.of(model.preprocessing(), ImageTransforms.scaled(256, input), input);
        }

        @Override
        public Object[] compute(ImageClassifier model, float[] input, int side, List<Row> rows) {
            int n = rows.size();
            float[] logits = model.logits(input, n, side, side);
            List<List<Prediction>> ranked = model.predictions(logits, n, k);
            int classes = logits.length / n;
            Object[] values = new Object[n];
            for (int i = 0; i < n; i++) {
                String label = rows.get(i).getString(labelColumn);
                Integer l = classIndex.get(label);
                if (l == null) {
                    throw new IllegalArgumentException("folder '" + label + "' is not a class of the model");
                }
                float[] scores = Arrays.copyOfRange(logits, i * classes, (i + 1) * classes);
                int predicted = Prediction.topIndices(scores, 1)[0];
                values[i] = RowFactory.create(l, predicted, predicted == l, ConfusionMatrix.inTopK(scores, l, k),
                        ResNetImageClassifier.rows(ranked.get(i)));
            }
            return values;
        }
    }
}
