package io.resnet4j.spark;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;

/** The test classes' Spark: two local executor threads in this JVM, the shape of one two-core executor. */
final class LocalSpark {

    private LocalSpark() {}

    static SparkSession start(String app) {
        return SparkSession.builder().master("local[2]").appName(app)
                .config("spark.ui.enabled", "false")
                // everything stays on the loopback interface
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.sql.shuffle.partitions", "4")
                .getOrCreate();
    }

    /** /work/shared's CIFAR-10 JPEG sample (ImageFolder layout train/val), or null where shared/ is absent. */
    static Path cifarSample() {
        Path p = Path.of(System.getProperty("resnet4j.shared", "../../shared"), "datasets", "cifar10-jpeg-sample")
                .toAbsolutePath().normalize();
        return Files.isDirectory(p.resolve("val")) ? p : null;
    }
}
