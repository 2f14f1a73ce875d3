package io.resnet4j.serve;

import io.resnet4j.inference.ImageClassifier;
import io.resnet4j.inference.InferenceEngine;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * A model as the server offers it: a name in URLs, the classifier (owned by the caller) and the
 * batcher that feeds it.
 */
public final class ServedModel {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private final String name;
    private final ImageClassifier classifier;
    private final DynamicBatcher batcher;

    ServedModel(String name, ImageClassifier classifier, DynamicBatcher batcher) {
        this.name = name;
        this.classifier = classifier;
        this.batcher = batcher;
    }

    /** @throws IllegalArgumentException unless the name is 1-64 letters, digits, dots, dashes or underscores */
    public static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("model name '" + name + "' must be 1-64 letters, digits, '.', '-' or"
                    + " '_', starting with a letter or digit (it appears in URLs)");
        }
        return name;
    }

    public String name() {
        return name;
    }

    public ImageClassifier classifier() {
        return classifier;
    }

    DynamicBatcher batcher() {
        return batcher;
    }

    /** Side of the square network input (the centre crop). */
    public int inputSide() {
        return classifier.transform().crop();
    }

    public List<String> classNames() {
        return classifier.classNames();
    }

    /** The platform name Triton and KServe use for this engine. */
    public String platform() {
        return classifier.engine() == InferenceEngine.ONNXRUNTIME ? "onnxruntime_onnx" : "pytorch_libtorch";
    }

    /**
     * Queues preprocessed input ({@code n x 3 x side x side}) for the next batch.
     *
     * @throws ApiException 503 when the queue is full
     */
    CompletableFuture<float[]> submit(DynamicBatcher.Output output, float[] input, int n) {
        return batcher.submit(output, input, n, inputSide(), inputSide());
    }

    /**
     * The rows of a queued request, waiting at most until the request's deadline.
     *
     * @throws ApiException 503 when the deadline passes first
     */
    static float[] await(CompletableFuture<float[]> result, long deadlineNanos) {
        try {
            return result.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            result.cancel(false);
            throw ApiException.busy("the server is busy: no result before the request's deadline", 1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            result.cancel(false);
            throw ApiException.busy("the server is shutting down", 5);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ApiException api) {
                throw api;
            }
            throw new InferenceFailure(e.getCause());
        }
    }

    /** The engine failed on a batch; the client sees a generic 500, the log the cause. */
    static final class InferenceFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InferenceFailure(Throwable cause) {
            super("inference failed: " + cause, cause);
        }
    }
}
