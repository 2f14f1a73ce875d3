package io.resnet4j.spark;

import io.resnet4j.inference.ImageClassifier;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One open model per executor JVM for each model and thread count: every task and partition of
 * every job in the JVM shares it (ONNX Runtime runs their batches concurrently), so the weights
 * are read and the session built once, not per row or per task.
 */
public final class ModelCache {

    private record Key(String model, int threads) {}

    private static final Map<Key, ImageClassifier> MODELS = new ConcurrentHashMap<>();
    private static final AtomicInteger LOADS = new AtomicInteger();

    private ModelCache() {}

    /** The JVM's model for this source, opened by the first task that asks (the others wait for it). */
    static ImageClassifier get(ModelSource source, int threads) {
        return MODELS.computeIfAbsent(new Key(source.id(), threads), k -> open(source, threads));
    }

    private static ImageClassifier open(ModelSource source, int threads) {
        try {
            ImageClassifier model = source.open(threads);
            LOADS.incrementAndGet();
            return model;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the model " + source + ": " + e.getMessage(), e);
        }
    }

    /** How many models this JVM has opened since it started (or since {@link #clear()}). */
    public static int loads() {
        return LOADS.get();
    }

    /** Closes every model and resets the count; the next task opens its model again. */
    public static synchronized void clear() {
        MODELS.values().forEach(ImageClassifier::close);
        MODELS.clear();
        LOADS.set(0);
    }
}
