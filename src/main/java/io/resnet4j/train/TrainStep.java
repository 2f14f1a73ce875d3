package io.resnet4j.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.loss.Loss;
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

    public TrainStep(ResNet net, Sgd sgd, NDManager manager) {
        this.net = net;
        this.sgd = sgd;
        this.parameterStore = new ParameterStore(manager, false);
        this.parameters = net.stateDict();
    }

    /**
     * @param images (N, 3, H, W) float32 on the training device
     * @param labels (N) int64 class indices
     */
    public Result run(NDArray images, NDArray labels, float learningRate) {
        float lossValue;
        long errors;
        // Every intermediate array attaches to the manager of its input; a scope closed after the
        // step frees them all (native memory is not the garbage collector's).
        try (NDManager scope = images.getManager().newSubManager();
                GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            images.tempAttach(scope);
            labels.tempAttach(scope);
            NDArray logits = net.forward(parameterStore, new NDList(images), true).singletonOrThrow();
            NDArray l = loss.evaluate(new NDList(labels), new NDList(logits));
            collector.backward(l);
            lossValue = l.getFloat();
            errors = logits.argMax(1).neq(labels).sum().getLong();
        }
        sgd.step(parameters, learningRate);
        return new Result(lossValue, errors, images.getShape().get(0));
    }

    public ResNet net() {
        return net;
    }

    public Sgd sgd() {
        return sgd;
    }
}
