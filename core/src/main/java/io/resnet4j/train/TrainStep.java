package io.resnet4j.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.loss.Loss;
import io.resnet4j.model.GradMode;
import io.resnet4j.model.Layouts;
import io.resnet4j.model.ResNet;
import java.util.Map;

/**
 * One optimisation step: forward with BN in training mode, softmax cross-entropy, backward, SGD
 * update. The same step serves the trainer, the benchmark and the PyTorch-equivalence test, so
 * what is measured is what is trained.
 */
public final class TrainStep {

    /** Loss and number of top-1 mistakes of one batch, as seen before the update. */
    public record Result(float loss, long errors, long batchSize) {}

    private final ResNet net;
    private final Sgd sgd;
    private final ParameterStore parameterStore;
    private final Map<String, Parameter> parameters;
    private final Loss loss = Loss.softmaxCrossEntropyLoss();

    private java.util.function.ToDoubleFunction<String> rateScale = name -> 1.0;
    private int microBatches = 1;

    public TrainStep(ResNet net, Sgd sgd, NDManager manager) {
        this.net = net;
        this.sgd = sgd;
        this.parameterStore = new ParameterStore(manager, false);
        // Frozen layers (ResNet#setFrozenPrefix) get neither updates nor weight decay.
        Map<String, Parameter> trainable = new java.util.LinkedHashMap<>();
        net.stateDict().forEach((k, p) -> {
            if (!net.isFrozen(k)) {
                trainable.put(k, p);
            }
        });
        this.parameters = trainable;
    }

    /**
     * Splits every batch into {@code k} equal micro-batches whose gradients add up before one SGD
     * step (each loss weighted by its share of the batch, so the sum is the batch-mean loss). BN
     * normalises over each micro-batch, as it would on k devices.
     */
    public TrainStep accumulate(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("accumulation must be at least 1 micro-batch, got " + k);
        }
        microBatches = k;
        return this;
    }

    /** A multiplier of the learning rate per parameter name (e.g. the classifier's own rate); default 1. */
    public TrainStep rateScale(java.util.function.ToDoubleFunction<String> scale) {
        rateScale = scale;
        return this;
    }

    /** The parameters this step updates (all but a frozen prefix's). */
    public Map<String, Parameter> trainableParameters() {
        return java.util.Collections.unmodifiableMap(parameters);
    }

    /** Where a step's time goes, accumulated over steps (for the benchmark's breakdown). */
    public static final class PhaseTimes {
        public long forwardNanos;
        public long backwardNanos;
        public long updateNanos;
        public long steps;

        public void reset() {
            forwardNanos = 0;
            backwardNanos = 0;
            updateNanos = 0;
            steps = 0;
        }
    }

    private final PhaseTimes times = new PhaseTimes();

    /** Accumulated phase times since construction or the last {@link PhaseTimes#reset()}. */
    public PhaseTimes phaseTimes() {
        return times;
    }

    /**
     * @param images (N, 3, H, W) float32 on the training device
     * @param labels (N) int64 class indices
     */
    public Result run(NDArray images, NDArray labels, float learningRate) {
        long n = images.getShape().get(0);
        int k = (int) Math.min(microBatches, n);
        double lossSum = 0;
        long errors = 0;
        for (int m = 0; m < k; m++) {
            long from = n * m / k;
            long to = n * (m + 1) / k;
            NDArray xi = k == 1 ? images : images.get(from + ":" + to);
            NDArray yi = k == 1 ? labels : labels.get(from + ":" + to);
            float weight = (float) (to - from) / n;
            // Gradients add up across backward passes until Sgd.step zeroes them (PyTorch semantics).
            float[] r = forwardBackward(xi, yi, weight);
            lossSum += r[0] * weight;
            errors += (long) r[1];
        }
        long t0 = System.nanoTime();
        GradMode.off();
        sgd.step(parameters, name -> learningRate * rateScale.applyAsDouble(name));
        times.updateNanos += System.nanoTime() - t0;
        times.steps++;
        return new Result((float) lossSum, errors, n);
    }

    private float[] forwardBackward(NDArray images, NDArray labels, float weight) {
        // Every intermediate array attaches to the manager of its input; a scope closed after the
        // step frees them all (native memory is not the garbage collector's).
        try (NDManager scope = images.getManager().newSubManager();
                GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            images.tempAttach(scope);
            labels.tempAttach(scope);
            long t0 = System.nanoTime();
            NDArray logits = net.forward(parameterStore, new NDList(Layouts.channelsLast(images)), true).singletonOrThrow();
            NDArray l = loss.evaluate(new NDList(labels), new NDList(logits));
            long t1 = System.nanoTime();
            collector.backward(weight == 1f ? l : l.mul(weight));
            long t2 = System.nanoTime();
            // libtorch on CPU runs each op synchronously, so these wall times split the step exactly.
            times.forwardNanos += t1 - t0;
            times.backwardNanos += t2 - t1;
            return new float[] {l.getFloat(), logits.argMax(1).neq(labels).sum().getLong()};
        }
    }

    public ResNet net() {
        return net;
    }

    public Sgd sgd() {
        return sgd;
    }
}
