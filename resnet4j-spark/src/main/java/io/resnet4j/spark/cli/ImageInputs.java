package io.resnet4j.spark.cli;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** Image files named on the command line, as Spark's {@code binaryFile} rows (path, modificationTime, length, content). */
final class ImageInputs {

    /** The names {@code resnet4j predict} reads in folders (Spark skips hidden files and _-prefixed ones itself). */
    static final String IMAGE_NAMES = "*.{jpg,jpeg,png,JPG,JPEG,PNG}";

    private ImageInputs() {}

    static Dataset<Row> read(SparkSession spark, List<String> inputs) {
        return spark.read().format("binaryFile").option("recursiveFileLookup", "true")
                .option("pathGlobFilter", IMAGE_NAMES).load(inputs.toArray(String[]::new));
    }
}
