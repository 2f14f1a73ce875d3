package io.resnet4j.spark.cli;

import io.resnet4j.spark.ResNetImageFeaturizer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;

/** {@code resnet4j spark features}: the pooled penultimate features of every image. */
@Command(name = "features", mixinStandardHelpOptions = true, versionProvider = SparkVersionProvider.class,
        sortOptions = false,
        description = {"Extract the pooled features of images over Spark (512 numbers for ResNet-18/34, 2048 for"
                + " ResNet-50 and deeper): columns path, features and error."})
public final class SparkFeaturesCommand extends SparkJobCommand {

    @Override
    String name() {
        return "features";
    }

    @Override
    Dataset<Row> results(SparkSession spark, Dataset<Row> images) {
        return new ResNetImageFeaturizer().setWeights(weights).setShipModel(!weightsOnExecutors)
                .setBatchSize(batchSize).transform(images).select("path", "features", "error");
    }
}
