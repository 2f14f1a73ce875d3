package io.resnet4j.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.resnet4j.inference.ImageBatches;
import io.resnet4j.spark.cli.SparkMain;
import io.resnet4j.inference.ImageClassifier;
import io.resnet4j.inference.ImageFiles;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code resnet4j spark predict|features|eval} on the CIFAR-10 JPEG sample, against the core's
 * {@code predict --json}, the facade's features and {@code eval --json} on the same weights and files.
 */
class SparkCommandsTest {

    static SparkSession spark;
    static Path sample;
    static Path dir;
    static String weights;

    @BeforeAll
    static void start() throws Exception {
        sample = LocalSpark.cifarSample();
        assumeTrue(sample != null, "the CIFAR-10 JPEG sample (shared/datasets/cifar10-jpeg-sample) is not here");
        dir = Files.createTempDirectory("resnet4j-spark-commands");
        weights = TestWeights.resnet20ClassMeans(dir, sample.resolve("train"), 40).toString();
        spark = LocalSpark.start("SparkCommandsTest");
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
        ModelCache.clear();
    }

    record Run(int exit, String out, String err) {}

    static Run spark(String... args) {
        return run(SparkMain.newCommandLine(), args);
    }

    static Run core(String... args) {
        return run(io.resnet4j.cli.Main.newCommandLine(), args);
    }

    private static Run run(CommandLine cl, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    /** A results row's file, as the core names it. */
    private static String file(Row r) {
        return Path.of(URI.create(r.getString(r.fieldIndex("path")))).toString();
    }

    @Test
    void predictRanksEveryImageAsPredictJsonDoes() throws Exception {
        Path val = sample.resolve("val");
        Path out = dir.resolve("predictions");
        ModelCache.clear();
        Run r = spark("predict", "--weights", weights, "--input", val.toString(), "--output", out.toString(),
                "--top", "3", "--batch-size", "7");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("resnet4j spark predict: 300 images, 0 failed");
        assertThat(ModelCache.loads()).as("models opened in this JVM, the driver's and two executor threads'")
                .isEqualTo(1);

        Run reference = core("predict", "--json", "--top", "3", "--weights", weights, val.toString());
        assertThat(reference.exit()).as(reference.err()).isZero();
        Map<String, JsonNode> expected = new HashMap<>();
        for (JsonNode n : new ObjectMapper().readTree(reference.out())) {
            expected.put(n.get("image").asText(), n.get("top"));
        }
        List<Row> rows = spark.read().parquet(out.toString()).collectAsList();
        assertThat(rows).hasSize(300);
        for (Row row : rows) {
            JsonNode top = expected.get(file(row));
            List<Row> got = row.getList(row.fieldIndex("prediction"));
            assertThat(got).hasSize(3);
            for (int j = 0; j < 3; j++) {
                assertThat(got.get(j).getInt(0)).isEqualTo(top.get(j).get("index").asInt());
                assertThat(got.get(j).getString(1)).isEqualTo(top.get(j).get("name").asText());
                assertThat((double) got.get(j).getFloat(2)).isCloseTo(top.get(j).get("probability").asDouble(),
                        within(1e-5));
            }
        }
    }

    @Test
    void featuresAreTheFacadesForEveryImage() throws Exception {
        Path val = sample.resolve("val").resolve("cat");
        Path out = dir.resolve("features.json");
        Run r = spark("features", "--weights", weights, "--input", val.toString(), "--output", out.toString(),
                "--format", "json");
        assertThat(r.exit()).as(r.err()).isZero();
        Map<String, float[]> expected = new HashMap<>();
        try (ImageClassifier facade = ImageClassifier.builder(weights).engine("onnxruntime").open()) {
            List<Path> files = ImageFiles.expand(List.of(val)).files();
            ImageBatches batches = new ImageBatches(files, facade.transform());
            for (ImageBatches.Batch b = batches.next(16); b != null; b = batches.next(16)) {
                ImageClassifier.FeatureMaps f = facade.features(b.input(), b.size(), 32, 32);
                for (int i = 0; i < b.size(); i++) {
                    expected.put(b.files().get(i).toString(), f.item(i));
                }
            }
        }
        List<Row> rows = spark.read().json(out.toString()).collectAsList();
        assertThat(rows).hasSize(expected.size()).hasSizeGreaterThan(10);
        for (Row row : rows) {
            float[] want = expected.get(file(row));
            List<Double> got = row.getList(row.fieldIndex("features"));
            assertThat(got).hasSize(64);
            for (int c = 0; c < 64; c++) {
                assertThat(got.get(c)).isCloseTo(want[c], within(1e-5));
            }
        }
    }

    @Test
    void evalCountsExactlyAsTheCoresEval() throws Exception {
        Run ours = spark("eval", "--json", "--weights", weights, "--input", sample.resolve("val").toString(),
                "--output", dir.resolve("eval").toString());
        assertThat(ours.exit()).as(ours.err()).isZero();
        Run reference = core("eval", "--json", "--weights", weights, "--data", sample.toString());
        assertThat(reference.exit()).as(reference.err()).isZero();
        JsonNode got = new ObjectMapper().readTree(ours.out().substring(0, ours.out().lastIndexOf('}') + 1));
        JsonNode want = new ObjectMapper().readTree(reference.out());
        assertThat(got.get("images").asLong()).isEqualTo(300);
        for (String field : List.of("images", "top1_error", "top5_error", "classes", "matrix")) {
            assertThat(got.get(field)).as(field).isEqualTo(want.get(field));
        }
        // right and wrong answers spread over many cells, so the comparison above covers the whole matrix
        assertThat(got.get("top1_error").asDouble()).isGreaterThan(0.0);
        int columnsUsed = 0;
        for (int p = 0; p < 10; p++) {
            long predicted = 0;
            for (JsonNode row : got.get("matrix")) {
                predicted += row.get(p).asLong();
            }
            columnsUsed += predicted > 0 ? 1 : 0;
        }
        assertThat(columnsUsed).isGreaterThanOrEqualTo(5);
    }

    @Test
    void corruptImagesEndInTheErrorColumnAndTheRestIsClassified(@TempDir Path folder) throws Exception {
        List<Path> good;
        try (Stream<Path> s = Files.list(sample.resolve("val").resolve("dog"))) {
            good = s.sorted().limit(5).toList();
        }
        for (Path g : good) {
            Files.copy(g, folder.resolve(g.getFileName()));
        }
        byte[] jpeg = Files.readAllBytes(good.get(0));
        Files.write(folder.resolve("truncated.jpg"), java.util.Arrays.copyOf(jpeg, jpeg.length / 4));
        Files.writeString(folder.resolve("text.jpg"), "not an image");
        Files.write(folder.resolve("empty.png"), new byte[0]);
        Path out = dir.resolve("with-corrupt");
        Run r = spark("predict", "--weights", weights, "--input", folder.toString(), "--output", out.toString());
        assertThat(r.exit()).isEqualTo(1);
        // Spark's file sources never read a 0-byte file: it is neither a result nor a failure
        assertThat(r.out()).contains("7 images, 2 failed");
        assertThat(r.err()).contains("2 of 7 images could not be read");
        Map<String, Row> rows = new HashMap<>();
        for (Row row : spark.read().parquet(out.toString()).collectAsList()) {
            rows.put(Path.of(file(row)).getFileName().toString(), row);
        }
        assertThat(rows).doesNotContainKey("empty.png");
        for (String bad : List.of("truncated.jpg", "text.jpg")) {
            assertThat(rows.get(bad).isNullAt(rows.get(bad).fieldIndex("prediction"))).as(bad).isTrue();
            assertThat(rows.get(bad).getString(rows.get(bad).fieldIndex("error"))).as(bad).isNotBlank();
        }
        for (Path g : good) {
            Row row = rows.get(g.getFileName().toString());
            assertThat(row.isNullAt(row.fieldIndex("error"))).isTrue();
            assertThat(row.getList(row.fieldIndex("prediction"))).hasSize(5);
        }
    }

    @Test
    void anExistingOutputIsReplacedOnlyWithForceAndNeverWhenItHoldsTheInput(@TempDir Path folder) throws Exception {
        Path images = folder.resolve("images");
        Files.createDirectories(images);
        try (Stream<Path> s = Files.list(sample.resolve("val").resolve("ship"))) {
            Files.copy(s.sorted().findFirst().orElseThrow(), images.resolve("ship.jpg"));
        }
        Path out = folder.resolve("out");
        Files.createDirectories(out);
        Files.writeString(out.resolve("keep.txt"), "mine");
        Run refused = spark("predict", "--weights", weights, "--input", images.toString(), "--output", out.toString());
        assertThat(refused.exit()).isEqualTo(2);
        assertThat(refused.err()).contains("exists; choose another output or add --force");
        assertThat(out.resolve("keep.txt")).exists();

        Run forced = spark("predict", "--weights", weights, "--input", images.toString(), "--output", out.toString(),
                "--force");
        assertThat(forced.exit()).as(forced.err()).isZero();
        assertThat(out.resolve("keep.txt")).doesNotExist();

        Run ownInput = spark("predict", "--weights", weights, "--input", images + "/*.jpg", "--output",
                folder.toString(), "--force");
        assertThat(ownInput.exit()).isEqualTo(2);
        assertThat(ownInput.err()).contains("holds the input");
        assertThat(images.resolve("ship.jpg")).exists();
    }

    @Test
    void usageErrorsExitTwoWithOneLine(@TempDir Path folder) throws Exception {
        Run format = spark("predict", "--weights", weights, "--input", "x", "--output", "y", "--format", "csv");
        assertThat(format.exit()).isEqualTo(2);
        assertThat(format.err()).startsWith("resnet4j spark: --format is parquet or json, got csv");
        Run noWeights = spark("features", "--weights", "missing.safetensors", "--input", "x", "--output", "y");
        assertThat(noWeights.exit()).isEqualTo(2);
        assertThat(noWeights.err()).contains("no weights at missing.safetensors");

        Path unknown = folder.resolve("val").resolve("zebra");
        Files.createDirectories(unknown);
        try (Stream<Path> s = Files.list(sample.resolve("val").resolve("cat"))) {
            Files.copy(s.sorted().findFirst().orElseThrow(), unknown.resolve("a.jpg"));
        }
        Run eval = spark("eval", "--weights", weights, "--input", folder.resolve("val").toString(), "--output",
                folder.resolve("out").toString());
        assertThat(eval.exit()).isEqualTo(2);
        assertThat(eval.err()).contains("folders [zebra] are not classes of");
        assertThat(folder.resolve("out")).doesNotExist();

        Run missing = spark("predict", "--weights", weights, "--input", folder.resolve("nothing-here").toString(),
                "--output", folder.resolve("out2").toString());
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).contains("nothing-here").doesNotContain("\tat ");
    }
}
