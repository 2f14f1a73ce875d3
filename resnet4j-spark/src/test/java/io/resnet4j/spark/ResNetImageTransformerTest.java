package io.resnet4j.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.resnet4j.image.ImageLoader;
import io.resnet4j.inference.ImageClassifier;
import io.resnet4j.inference.Prediction;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The transformers on images held in a DataFrame's binary column, against the core facade on the same bytes. */
class ResNetImageTransformerTest {

    static SparkSession spark;
    static Path dir;
    static String weights;
    /** id -> encoded image; ids 0..N-1 decode, the others do not. */
    static Map<Integer, byte[]> images = new HashMap<>();
    static Dataset<Row> table;

    static final int GOOD = 12;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("resnet4j-spark-transformer");
        weights = TestWeights.resnet20(dir).toString();
        Random random = new Random(7);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < GOOD; i++) {
            byte[] encoded = encode(randomImage(random, 28 + 5 * i, 44 - i), i % 2 == 0 ? "png" : "jpg");
            images.put(i, encoded);
            rows.add(RowFactory.create(i, encoded));
        }
        byte[] truncated = Arrays.copyOf(images.get(1), images.get(1).length / 3);
        rows.add(RowFactory.create(100, truncated));
        rows.add(RowFactory.create(101, "not an image".getBytes()));
        rows.add(RowFactory.create(102, null));
        StructType schema = new StructType().add("id", DataTypes.IntegerType).add("image", DataTypes.BinaryType);
        spark = LocalSpark.start("ResNetImageTransformerTest");
        table = spark.createDataFrame(rows, schema).repartition(3);
    }

    @AfterAll
    static void stop() {
        spark.stop();
        ModelCache.clear();
    }

    private static BufferedImage randomImage(Random random, int width, int height) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                img.setRGB(x, y, random.nextInt(1 << 24));
            }
        }
        return img;
    }

    private static byte[] encode(BufferedImage img, String format) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, format, out);
        return out.toByteArray();
    }

    private static Map<Integer, Row> byId(Dataset<Row> results) {
        Map<Integer, Row> out = new HashMap<>();
        for (Row r : results.collectAsList()) {
            out.put(r.getInt(r.fieldIndex("id")), r);
        }
        return out;
    }

    @Test
    void classifiesEachImageAsTheFacadeDoesAndExplainsTheOthers() throws Exception {
        Dataset<Row> ranked = new ResNetImageClassifier().setWeights(weights).setInputCol("image").setTopK(3)
                .setBatchSize(4).transform(table);
        Map<Integer, Row> rows = byId(ranked);
        assertThat(rows).hasSize(GOOD + 3);
        try (ImageClassifier facade = ImageClassifier.builder(weights).engine("onnxruntime").threads(1).open()) {
            for (int i = 0; i < GOOD; i++) {
                List<Prediction> expected = facade.classifyInput(
                        facade.input(ImageLoader.decode(images.get(i), "image " + i)), 1, 3).get(0);
                List<Row> got = rows.get(i).getList(rows.get(i).fieldIndex("prediction"));
                assertThat(rows.get(i).isNullAt(rows.get(i).fieldIndex("error"))).isTrue();
                assertThat(got).hasSize(3);
                for (int j = 0; j < 3; j++) {
                    assertThat(got.get(j).getInt(0)).isEqualTo(expected.get(j).index());
                    assertThat(got.get(j).getString(1)).isEqualTo(expected.get(j).name());
                    assertThat(got.get(j).getFloat(2)).isCloseTo(expected.get(j).probability(), within(1e-5f));
                }
            }
        }
        assertThat(rows.get(100).getString(rows.get(100).fieldIndex("error"))).contains("this row's image");
        assertThat(rows.get(101).getString(rows.get(101).fieldIndex("error"))).contains("not a JPEG or PNG image");
        assertThat(rows.get(102).getString(rows.get(102).fieldIndex("error"))).contains("is null");
        for (int bad : List.of(100, 101, 102)) {
            assertThat(rows.get(bad).isNullAt(rows.get(bad).fieldIndex("prediction"))).isTrue();
        }
    }

    @Test
    void featuresAreTheFacadesPooledFeatures() throws Exception {
        Map<Integer, Row> rows = byId(new ResNetImageFeaturizer().setWeights(weights).setInputCol("image")
                .setOutputCol("embedding").setErrorCol("why").setBatchSize(5).transform(table));
        try (ImageClassifier facade = ImageClassifier.builder(weights).engine("onnxruntime").threads(1).open()) {
            for (int i = 0; i < GOOD; i++) {
                float[] expected = facade.features(facade.input(ImageLoader.decode(images.get(i), "x")), 1, 32, 32)
                        .values();
                List<Float> got = rows.get(i).getList(rows.get(i).fieldIndex("embedding"));
                assertThat(got).hasSize(64);
                for (int c = 0; c < 64; c++) {
                    assertThat(got.get(c)).isCloseTo(expected[c], within(1e-5f));
                }
            }
        }
        assertThat(rows.get(101).getString(rows.get(101).fieldIndex("why"))).isNotBlank();
    }

    @Test
    void executorsOpeningTheWeightsThemselvesAnswerAsTheShippedModel() {
        ResNetImageClassifier classifier = new ResNetImageClassifier().setWeights(weights).setInputCol("image");
        Map<Integer, Row> shipped = byId(classifier.transform(table));
        Map<Integer, Row> onPath = byId(classifier.copy(new org.apache.spark.ml.param.ParamMap())
                .setShipModel(false).transform(table));
        int prediction = 2;
        for (int i = 0; i < GOOD; i++) {
            assertThat(onPath.get(i).<Row>getList(prediction))
                    .isEqualTo(shipped.get(i).<Row>getList(prediction)).hasSize(5);
        }
    }

    @Test
    void weightsNamedByAFileSystemUriAreTheSameModel() {
        ResNetImageClassifier classifier = new ResNetImageClassifier().setInputCol("image");
        Map<Integer, Row> byPath = byId(classifier.setWeights(weights).transform(table));
        Map<Integer, Row> byUri = byId(classifier.copy(new org.apache.spark.ml.param.ParamMap())
                .setWeights(Path.of(weights).toUri().toString()).transform(table));
        for (int i = 0; i < GOOD; i++) {
            assertThat(byUri.get(i).<Row>getList(2)).isEqualTo(byPath.get(i).<Row>getList(2));
        }
    }

    @Test
    void theModelIsOpenedOncePerExecutorJvmNotPerTaskOrJob() {
        ModelCache.clear();
        ResNetImageClassifier classifier = new ResNetImageClassifier().setWeights(weights).setInputCol("image")
                .setBatchSize(2);
        Dataset<Row> manyTasks = table.repartition(6);
        assertThat(classifier.transform(manyTasks).count()).isEqualTo(GOOD + 3);
        assertThat(classifier.transform(manyTasks).filter("error is null").count()).isEqualTo(GOOD);
        // local[2]: six tasks, two at a time, over two jobs, all in this one executor JVM
        assertThat(ModelCache.loads()).isEqualTo(1);
    }

    @Test
    void theSchemaSaysWhatIsAddedAndRefusesWhatCannotWork() {
        ResNetImageClassifier classifier = new ResNetImageClassifier().setWeights(weights).setInputCol("image");
        StructType out = classifier.transformSchema(table.schema());
        assertThat(out.fieldNames()).containsExactly("id", "image", "prediction", "error");
        assertThat(out.apply("prediction").dataType())
                .isEqualTo(DataTypes.createArrayType(ResNetImageClassifier.PREDICTION, false));
        assertThat(out.apply("error").dataType()).isEqualTo(DataTypes.StringType);
        assertThat(new ResNetImageFeaturizer().setWeights(weights).setInputCol("image").transformSchema(table.schema())
                .apply("features").dataType()).isEqualTo(DataTypes.createArrayType(DataTypes.FloatType, false));
        assertThatThrownBy(() -> classifier.copy(new org.apache.spark.ml.param.ParamMap()).setInputCol("id")
                .transformSchema(table.schema())).hasMessageContaining("must hold encoded images (binary), not int");
        assertThatThrownBy(() -> classifier.copy(new org.apache.spark.ml.param.ParamMap()).setOutputCol("id")
                .transformSchema(table.schema())).hasMessageContaining("'id' already exists");
        assertThatThrownBy(() -> new ResNetImageClassifier().setInputCol("image").transformSchema(table.schema()))
                .hasMessageContaining("weights is not set");
        assertThatThrownBy(() -> classifier.setBatchSize(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aSavedPipelineComesBackWithItsParamsAndAnswers(@TempDir Path saved) throws Exception {
        ResNetImageClassifier classifier = new ResNetImageClassifier().setWeights(weights).setInputCol("image")
                .setTopK(2).setBatchSize(3);
        ResNetImageFeaturizer featurizer = new ResNetImageFeaturizer().setWeights(weights).setInputCol("image")
                .setErrorCol("feature_error");
        PipelineModel model = new Pipeline().setStages(new PipelineStage[] {classifier, featurizer}).fit(table);
        model.write().overwrite().save(saved.toString());
        PipelineModel loaded = PipelineModel.load(saved.toString());
        ResNetImageClassifier back = (ResNetImageClassifier) loaded.stages()[0];
        assertThat(back.uid()).isEqualTo(classifier.uid());
        assertThat(back.getTopK()).isEqualTo(2);
        assertThat(back.getBatchSize()).isEqualTo(3);
        assertThat(back.getWeights()).isEqualTo(weights);
        assertThat(((ResNetImageFeaturizer) loaded.stages()[1]).getErrorCol()).isEqualTo("feature_error");
        Map<Integer, Row> before = byId(model.transform(table));
        Map<Integer, Row> after = byId(loaded.transform(table));
        for (int i = 0; i < GOOD; i++) {
            assertThat(after.get(i).<Row>getList(2)).isEqualTo(before.get(i).<Row>getList(2));
            assertThat(after.get(i).<Float>getList(4)).isEqualTo(before.get(i).<Float>getList(4));
        }
    }
}
