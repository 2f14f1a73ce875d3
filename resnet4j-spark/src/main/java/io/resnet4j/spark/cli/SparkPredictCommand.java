package io.resnet4j.spark.cli;

import io.resnet4j.cli.UsageException;
import io.resnet4j.spark.ResNetImageClassifier;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code resnet4j spark predict}: the top-K classes of every image, one row per image. */
@Command(name = "predict", mixinStandardHelpOptions = true, versionProvider = SparkVersionProvider.class,
        sortOptions = false,
        description = {"Classify images over Spark: columns path, prediction (top-K array of {index, name,"
                + " probability}) and error (why an image could not be read)."})
public final class SparkPredictCommand extends SparkJobCommand {

    @Option(names = "--top", paramLabel = "K", defaultValue = "5", description = "Classes per image (default: ${DEFAULT-VALUE}).")
    int top;

    @Override
    String name() {
        return "predict";
    }

    @Override
    void checkOptions() {
        super.checkOptions();
        if (top < 1) {
            throw new UsageException("--top must be at least 1, got " + top);
        }
    }

    @Override
    Dataset<Row> results(SparkSession spark, Dataset<Row> images) {
        return new ResNetImageClassifier().setWeights(weights).setShipModel(!weightsOnExecutors).setTopK(top)
                .setBatchSize(batchSize).transform(images).select("path", "prediction", "error");
    }
}
