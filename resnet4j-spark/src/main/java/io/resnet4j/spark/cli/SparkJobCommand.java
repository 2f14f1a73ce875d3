package io.resnet4j.spark.cli;

import io.resnet4j.cli.UsageException;
import io.resnet4j.spark.ModelSource;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * What predict, features and eval share: read the images ({@code binaryFile}), compute one row of
 * results per image, write them to {@code --output}, then print a summary read back from what was
 * written (images, failures, images/s, wall time).
 */
public abstract class SparkJobCommand implements Callable<Integer> {

    @Option(names = "--weights", required = true, paramLabel = "W",
            description = "resnet4j checkpoint (.safetensors), torchvision .pth/.safetensors, or a resnet4j .onnx export:"
                    + " a local path or a cluster file system's (hdfs:, s3a:). Read by the driver, which ships it to"
                    + " the executors as an ONNX export.")
    String weights;

    @Option(names = "--input", required = true, split = ",", paramLabel = "PATH_OR_GLOB",
            description = "Image files, folders (searched recursively) or globs, on any file system Spark reads"
                    + " (a local path, file:, hdfs:, s3a:); only .jpg, .jpeg and .png names are read. Repeat the"
                    + " option or separate with commas.")
    List<String> inputs;

    @Option(names = "--output", required = true, paramLabel = "OUT",
            description = "Folder for the results, one row per image (never replaced unless --force).")
    String output;

    @Option(names = "--format", defaultValue = "parquet", paramLabel = "parquet|json",
            description = "Format of OUT (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--master", paramLabel = "URL",
            description = "Spark master, e.g. local[2] or spark://host:7077 (default: the one spark-submit"
                    + " gives, else local[*]).")
    String master;

    @Option(names = "--batch-size", defaultValue = "16", paramLabel = "B",
            description = "Images per forward pass in each task (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--weights-on-executors",
            description = "Executors open --weights themselves (a path every executor can read; needs libtorch there"
                    + " unless it is a .onnx file) instead of the driver broadcasting an ONNX export.")
    boolean weightsOnExecutors;

    @Option(names = "--force", description = "Replace OUT if it exists.")
    boolean force;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** The command's name in messages, e.g. "predict". */
    abstract String name();

    /** One row per image: {@code path}, the command's columns and {@code error}. */
    abstract Dataset<Row> results(SparkSession spark, Dataset<Row> images);

    /** Prints what the command reports beyond the summary, from the written results. */
    void report(Dataset<Row> written, PrintWriter out) {}

    @Override
    public Integer call() throws Exception {
        checkOptions();
        long start = System.nanoTime();
        try (SparkSessions.Handle session = SparkSessions.open(master, "resnet4j spark " + name())) {
            SparkSession spark = session.spark();
            OutputFolder.check(spark, output, force, inputs, weights);
            long jobStart = System.nanoTime();
            Dataset<Row> written = run(spark);
            return summarise(written, (System.nanoTime() - jobStart) / 1e9, (System.nanoTime() - start) / 1e9);
        }
    }

    /** Computes and writes the results, and returns them as read back from OUT. */
    private Dataset<Row> run(SparkSession spark) {
        Dataset<Row> results = results(spark, ImageInputs.read(spark, inputs));
        results.write().mode(force ? SaveMode.Overwrite : SaveMode.ErrorIfExists).format(format).save(output);
        return spark.read().schema(results.schema()).format(format).load(output);
    }

    /** Counted from what was written, so the summary is what OUT holds. */
    private int summarise(Dataset<Row> written, double jobSeconds, double wallSeconds) {
        long failures = written.filter(functions.col("error").isNotNull()).count();
        long images = written.count();
        PrintWriter out = spec.commandLine().getOut();
        report(written, out);
        out.printf(Locale.ROOT, "resnet4j spark %s: %,d images, %,d failed, %.1f images/s (job %.1f s, wall %.1f s);"
                + " results in %s (%s)%n", name(), images, failures, images / jobSeconds, jobSeconds, wallSeconds,
                output, format);
        out.flush();
        return failures == 0 ? 0 : failed(failures, images);
    }

    private int failed(long failures, long images) {
        PrintWriter err = spec.commandLine().getErr();
        err.printf(Locale.ROOT, "resnet4j spark: %,d of %,d images could not be read (their rows in %s say why in"
                + " 'error')%n", failures, images, output);
        err.flush();
        return 1;
    }

    /** Refuses bad option values before Spark starts; commands with options of their own add theirs. */
    void checkOptions() {
        if (!format.equals("parquet") && !format.equals("json")) {
            throw new UsageException("--format is parquet or json, got " + format);
        }
        if (batchSize < 1) {
            throw new UsageException("--batch-size must be at least 1, got " + batchSize);
        }
        if (!weightsOnExecutors && !weights.contains(":") && !Files.isRegularFile(Path.of(weights))) {
            throw new UsageException("no weights at " + weights);
        }
    }

    /** Where executors get the model: the driver's broadcast, or --weights opened on each executor. */
    ModelSource model(SparkSession spark) {
        return weightsOnExecutors ? ModelSource.onPath(weights) : ModelSource.shipped(spark, weights);
    }
}
