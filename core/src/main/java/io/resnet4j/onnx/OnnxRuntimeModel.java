package io.resnet4j.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * An exported ResNet run by ONNX Runtime on the CPU: the fast inference path (graph optimisations
 * at the highest level, which include ONNX Runtime's blocked NCHWc convolution layout and
 * Conv+Add+ReLU fusion; no autograd bookkeeping).
 *
 * <p>Safe for concurrent calls: ONNX Runtime runs one session from many threads, and each thread
 * reuses its own input buffer (so a steady stream of batches allocates nothing on the Java side).
 */
public final class OnnxRuntimeModel implements AutoCloseable {

    private final OrtEnvironment env;
    private final OrtSession session;
    private final Map<String, String> metadata;
    private final int fixedBatch;
    private final ThreadLocal<FloatBuffer> inputs = new ThreadLocal<>();

    private OnnxRuntimeModel(OrtSession session, OrtEnvironment env) throws OrtException {
        this.env = env;
        this.session = session;
        this.metadata = Map.copyOf(session.getMetadata().getCustomMetadata());
        long batch = ((ai.onnxruntime.TensorInfo) session.getInputInfo().get(OnnxExporter.INPUT).getInfo()).getShape()[0];
        this.fixedBatch = batch > 0 ? (int) batch : 0;
    }

    /** A session on a serialised model; {@code threads} is the intra-op thread count (0 = ONNX Runtime's default). */
    public static OnnxRuntimeModel load(byte[] model, int threads) {
        try {
            return open(model, threads);
        } catch (OrtException e) {
            throw new IllegalArgumentException("ONNX Runtime could not load the model: " + e.getMessage(), e);
        }
    }

    private static OnnxRuntimeModel open(byte[] model, int threads) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions o = options(threads)) {
            return new OnnxRuntimeModel(env.createSession(model, o), env);
        }
    }

    public static OnnxRuntimeModel load(Path file, int threads) throws java.io.IOException {
        if (!Files.isRegularFile(file)) {
            throw new java.nio.file.NoSuchFileException(file.toString());
        }
        try {
            return open(Files.readAllBytes(file), threads);
        } catch (OrtException e) {
            // A file that ONNX Runtime cannot parse is damaged (truncated, or not ONNX at all), not a bad choice.
            throw new io.resnet4j.io.WeightsFormatException(file + " is not a readable ONNX model (damaged or"
                    + " truncated?): " + e.getMessage());
        }
    }

    private static OrtSession.SessionOptions options(int threads) throws OrtException {
        OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        o.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
        if (threads > 0) {
            o.setIntraOpNumThreads(threads);
        }
        o.setInterOpNumThreads(1);
        return o;
    }

    /** The model's metadata_props (resnet4j writes its config, class names and preprocessing there). */
    public Map<String, String> metadata() {
        return metadata;
    }

    /**
     * Logits for a batch in NCHW layout.
     *
     * @param images {@code n * 3 * size * size} floats (NCHW), already preprocessed
     * @return {@code n * classes} floats, row-major
     */
    public float[] logits(float[] images, int n, int size) {
        return logits(images, n, size, size);
    }

    /** Logits for a batch of {@code height x width} images (the exported graph accepts any size). */
    public float[] logits(float[] images, int n, int height, int width) {
        return run(OnnxExporter.OUTPUT, images, n, height, width);
    }

    /** Whether the graph has an output of this name (exports before pooled features had only logits). */
    public boolean hasOutput(String name) {
        return session.getOutputNames().contains(name);
    }

    /** The pooled features ({@code n * channels}, row-major) of a batch, for exports that carry them. */
    public float[] features(float[] images, int n, int height, int width) {
        if (!hasOutput(OnnxExporter.FEATURES)) {
            throw new IllegalStateException("this ONNX model has no '" + OnnxExporter.FEATURES + "' output (exported"
                    + " by an earlier resnet4j); export it again to get pooled features from ONNX Runtime");
        }
        return run(OnnxExporter.FEATURES, images, n, height, width);
    }

    /** Several outputs of the graph for an NCHW batch (calibration reads intermediate tensors). */
    public Map<String, float[]> outputs(float[] images, int n, int height, int width, Set<String> names) {
        FloatBuffer in = FloatBuffer.wrap(images, 0, n * 3 * height * width);
        try (OnnxTensor x = OnnxTensor.createTensor(env, in, new long[] {n, 3, height, width});
                OrtSession.Result r = session.run(Map.of(OnnxExporter.INPUT, x), names)) {
            Map<String, float[]> out = new java.util.LinkedHashMap<>();
            for (Map.Entry<String, ai.onnxruntime.OnnxValue> e : r) {
                FloatBuffer b = ((OnnxTensor) e.getValue()).getFloatBuffer();
                float[] values = new float[b.remaining()];
                b.get(values);
                out.put(e.getKey(), values);
            }
            return out;
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed on a batch of " + n + ": " + e.getMessage(), e);
        }
    }

    /**
     * One output of the graph for an NCHW batch; only that output is computed and copied. A model
     * whose batch is fixed runs a shorter batch padded with zero images (their rows are dropped).
     */
    private float[] run(String output, float[] images, int n, int height, int width) {
        int rows = Math.max(n, fixedBatch);
        int count = rows * 3 * height * width;
        int given = n * 3 * height * width;
        if (images.length < given) {
            throw new IllegalArgumentException("expected " + given + " floats for " + n + "x3x" + height + "x" + width
                    + ", got " + images.length);
        }
        FloatBuffer input = inputs.get();
        if (input == null || input.capacity() < count) {
            input = ByteBuffer.allocateDirect(count * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
            inputs.set(input);
        }
        input.clear();
        input.put(images, 0, given);
        while (input.position() < count) {
            input.put(0f);
        }
        input.flip();
        try (OnnxTensor x = OnnxTensor.createTensor(env, input, new long[] {rows, 3, height, width});
                OrtSession.Result r = session.run(Map.of(OnnxExporter.INPUT, x), Set.of(output))) {
            FloatBuffer out = ((OnnxTensor) r.get(0)).getFloatBuffer();
            float[] values = new float[out.remaining() / rows * n];
            out.get(values);
            return values;
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed on a batch of " + n + ": " + e.getMessage(), e);
        }
    }

    /** The batch size fixed in the graph's input shape, or 0 when it is symbolic (any batch). */
    public int fixedBatch() {
        return fixedBatch;
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        }
    }
}
