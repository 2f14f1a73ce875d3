package io.resnet4j.spark.cli;

import io.resnet4j.Versions;
import org.apache.spark.SparkContext;
import picocli.CommandLine;

/** {@code --version}: resnet4j and the Spark on the classpath. */
public final class SparkVersionProvider implements CommandLine.IVersionProvider {

    @Override
    public String[] getVersion() {
        String spark = SparkContext.class.getPackage().getImplementationVersion();
        return new String[] {
            "resnet4j " + Versions.resnet4j() + " on Spark " + (spark == null ? "(unknown version)" : spark)
                    + ", Java " + System.getProperty("java.version")
        };
    }
}
