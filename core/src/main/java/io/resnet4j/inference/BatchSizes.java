package io.resnet4j.inference;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Default inference batch sizes from the input size and the memory at hand: a fixed 500 is fine
 * for 32x32 CIFAR images and needs over 10 GB for 224x224 photos.
 */
public final class BatchSizes {

    /**
     * Bytes a ResNet forward pass holds per image, per input float: the widest eager network
     * (ResNet-152/200 at 224) keeps about 200 times its input alive at its peak.
     */
    static final long BYTES_PER_INPUT_FLOAT = 4 * 200;
    /** Never more than this share of the available memory for one batch. */
    static final double MEMORY_SHARE = 0.25;
    static final int MAX_BATCH = 256;

    private BatchSizes() {}

    /** The default batch for images of {@code side x side}, given what this machine has free now. */
    public static int forInference(int side) {
        return forInference(side, availableBytes());
    }

    /** The largest batch (1 to {@link #MAX_BATCH}) whose peak fits a quarter of {@code availableBytes}. */
    public static int forInference(int side, long availableBytes) {
        long perImage = 3L * side * side * BYTES_PER_INPUT_FLOAT;
        long batch = (long) (availableBytes * MEMORY_SHARE) / perImage;
        return (int) Math.max(1, Math.min(MAX_BATCH, batch));
    }

    /**
     * The default batch on ONNX Runtime: about 1.2 million input floats (8 images at 224, 256 at 32).
     * Its throughput stops growing at a few images per batch (ResNet-50 at 224 ran as fast at batch
     * 8 as at 32 here), while its memory arena grows with every image, so larger batches buy nothing.
     */
    public static int forOnnxRuntime(int side) {
        return forOnnxRuntime(side, availableBytes());
    }

    static int forOnnxRuntime(int side, long availableBytes) {
        long perBatchFloats = 8L * 3 * 224 * 224;
        int batch = (int) Math.max(1, Math.min(MAX_BATCH, perBatchFloats / (3L * side * side)));
        return Math.min(batch, forInference(side, availableBytes));
    }

    /** MemAvailable from /proc/meminfo (Linux), else the JVM's free heap as a lower bound. */
    static long availableBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemAvailable:")) {
                    List<String> parts = List.of(line.trim().split("\\s+"));
                    return Long.parseLong(parts.get(1)) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux, or an unreadable /proc: fall through to the heap.
        }
        Runtime rt = Runtime.getRuntime();
        return rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
    }
}
