package io.resnet4j.spark;

import io.resnet4j.inference.ImageClassifier;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;

/**
 * Where executors get the model: bytes the driver broadcast (an ONNX export, so executors need
 * ONNX Runtime only and no shared file system), or weights at a path every executor can read.
 */
public abstract sealed class ModelSource implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Driver side: one export and broadcast per weights file (and per change of it), not per transform. */
    private static final Map<String, Shipped> SHIPPED = new ConcurrentHashMap<>();

    /** hdfs:, s3a:, file:, ... (two letters at least: C: is a drive). */
    private static final Pattern URI_SCHEME = Pattern.compile("^([a-zA-Z][a-zA-Z0-9+.-]+):");

    /** Names the model in the executors' cache: equal ids mean the same network. */
    abstract String id();

    /** Opens the model on an executor with {@code threads} ONNX Runtime intra-op threads. */
    abstract ImageClassifier open(int threads) throws IOException;

    /**
     * The model the driver exports to ONNX and broadcasts: the weights are read once, on the
     * driver, whatever their form; a cluster file system's (hdfs:, s3a:, ...) are copied there first.
     */
    public static ModelSource shipped(SparkSession spark, String weights) {
        // A broadcast belongs to its SparkContext: a new context (a new application) ships again.
        String key = spark.sparkContext().applicationId() + "|" + fileKey(weights);
        return SHIPPED.computeIfAbsent(key, k -> ship(spark, weights));
    }

    /** Weights every executor reads itself (a local copy or a shared mount: the path must exist there). */
    public static ModelSource onPath(String weights) {
        return new OnPath(weights);
    }

    private static Shipped ship(SparkSession spark, String weights) {
        DjlDefaults.apply();
        byte[] onnx;
        try {
            onnx = ImageClassifier.builder(onDriver(spark, weights)).onnxModel();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the weights " + weights + ": " + e.getMessage(), e);
        }
        Broadcast<byte[]> bytes = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(onnx);
        return new Shipped(weights, sha256(onnx), bytes);
    }

    /**
     * A local path to the weights: as given, or a copy of a file on a cluster file system (hdfs:,
     * s3a:, ...) that Spark's Hadoop configuration reaches.
     */
    private static String onDriver(SparkSession spark, String weights) throws IOException {
        Matcher scheme = URI_SCHEME.matcher(weights);
        if (!scheme.find() || scheme.group(1).equals("torchvision")) {
            return weights; // a local path (a Windows drive letter is no scheme) or a named model
        }
        URI uri = URI.create(weights);
        org.apache.hadoop.fs.Path remote = new org.apache.hadoop.fs.Path(uri);
        if (scheme.group(1).equals("file")) {
            return Path.of(uri).toString();
        }
        Path dir = Files.createTempDirectory("resnet4j-weights");
        Path local = dir.resolve(remote.getName());
        remote.getFileSystem(spark.sparkContext().hadoopConfiguration())
                .copyToLocalFile(remote, new org.apache.hadoop.fs.Path(local.toUri()));
        local.toFile().deleteOnExit();
        dir.toFile().deleteOnExit();
        return local.toString();
    }

    /** The weights with their size and modification time, so a rewritten file is shipped again. */
    private static String fileKey(String weights) {
        Path p = Path.of(weights);
        try {
            return Files.isRegularFile(p) ? weights + "|" + Files.size(p) + "|" + Files.getLastModifiedTime(p) : weights;
        } catch (IOException e) {
            return weights;
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    static final class Shipped extends ModelSource {
        private static final long serialVersionUID = 1L;
        private final String weights;
        private final String digest;
        private final Broadcast<byte[]> onnx;

        Shipped(String weights, String digest, Broadcast<byte[]> onnx) {
            this.weights = weights;
            this.digest = digest;
            this.onnx = onnx;
        }

        @Override
        String id() {
            return "onnx:" + digest;
        }

        @Override
        ImageClassifier open(int threads) throws IOException {
            return ImageClassifier.builder(onnx.value()).threads(threads).open();
        }

        @Override
        public String toString() {
            return weights + " (shipped as ONNX " + digest.substring(0, 12) + ")";
        }
    }

    static final class OnPath extends ModelSource {
        private static final long serialVersionUID = 1L;
        private final String weights;

        OnPath(String weights) {
            this.weights = weights;
        }

        @Override
        String id() {
            return "path:" + weights;
        }

        @Override
        ImageClassifier open(int threads) throws IOException {
            DjlDefaults.apply();
            return ImageClassifier.builder(weights).engine("onnxruntime").device(ai.djl.Device.cpu()).threads(threads)
                    .open();
        }

        @Override
        public String toString() {
            return weights;
        }
    }
}
