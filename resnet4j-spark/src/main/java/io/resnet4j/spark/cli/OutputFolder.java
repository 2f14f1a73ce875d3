package io.resnet4j.spark.cli;

import io.resnet4j.cli.UsageException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/** The overwrite policy for a Spark output folder: never an existing one without --force, never one holding an input. */
final class OutputFolder {

    private OutputFolder() {}

    static void check(SparkSession spark, String output, boolean force, List<String> inputs, String weights)
            throws IOException {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        Path out = qualified(output, conf);
        List<String> read = new ArrayList<>(inputs);
        read.add(weights);
        for (String in : read) {
            Path p = qualified(withoutGlob(in), conf);
            if (p.equals(out) || p.toString().startsWith(out + "/")) {
                throw new UsageException(output + " holds the input " + in + ", which --force would delete; choose"
                        + " another output");
            }
        }
        if (!force && out.getFileSystem(conf).exists(out)) {
            throw new UsageException(output + " exists; choose another output or add --force to replace it");
        }
    }

    private static Path qualified(String path, Configuration conf) throws IOException {
        Path p = new Path(path);
        return p.getFileSystem(conf).makeQualified(p);
    }

    /** The folder a glob starts from ({@code /data/*}{@code /x.jpg} -> {@code /data}); a plain path as it is. */
    static String withoutGlob(String path) {
        int first = -1;
        for (int i = 0; i < path.length(); i++) {
            if ("*?[{".indexOf(path.charAt(i)) >= 0) {
                first = i;
                break;
            }
        }
        if (first < 0) {
            return path;
        }
        int slash = path.lastIndexOf('/', first);
        return slash < 0 ? "." : slash == 0 ? "/" : path.substring(0, slash);
    }
}
