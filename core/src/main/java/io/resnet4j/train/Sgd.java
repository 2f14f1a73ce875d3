package io.resnet4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Stochastic gradient descent with momentum and weight decay, with exactly PyTorch's semantics
 * ({@code torch.optim.SGD}, dampening 0, not Nesterov):
 *
 * <pre>
 * d = g + weight_decay * w;   buf = momentum * buf + d   (buf = d on the first step);   w -= lr * buf
 * </pre>
 *
 * DJL's own Sgd folds the learning rate into the momentum buffer (MXNet's form), which differs
 * from PyTorch's after every learning-rate drop, and keeps its buffers private, so a run could
 * not be resumed exactly. Here the buffers are named like the parameters and can be saved.
 * Weight decay applies to every parameter, BN scale and shift included, as the paper's recipe
 * and the PyTorch reference do.
 */
public final class Sgd implements AutoCloseable {

    private final float momentum;
    private final float weightDecay;
    private final NDManager stateManager;
    private final Map<String, NDArray> buffers = new LinkedHashMap<>();

    /**
     * @param parent manager on the training device; the momentum buffers live in a sub-manager of it
     */
    public Sgd(NDManager parent, float momentum, float weightDecay) {
        if (momentum < 0 || momentum >= 1) {
            throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
        }
        if (weightDecay < 0) {
            throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
        }
        this.momentum = momentum;
        this.weightDecay = weightDecay;
        this.stateManager = parent.newSubManager();
    }

    /**
     * Applies one update to every trainable parameter from its accumulated gradient, then zeroes
     * the gradient for the next backward pass.
     *
     * @param parameters named parameters; those that do not require gradients (BN running
     *     statistics) are skipped
     */
    public void step(Map<String, Parameter> parameters, float learningRate) {
        step(parameters, name -> learningRate);
    }

    /**
     * As {@link #step(Map, float)} with a learning rate per parameter (fine-tuning gives the new
     * classifier its own rate). A rate of 0 still updates the momentum buffer, as PyTorch's
     * parameter groups do.
     *
     * @param learningRate the rate for a parameter name
     */
    public void step(Map<String, Parameter> parameters, java.util.function.ToDoubleFunction<String> learningRate) {
        for (Map.Entry<String, Parameter> e : parameters.entrySet()) {
            Parameter p = e.getValue();
            if (!p.requiresGradient()) {
                continue;
            }
            NDArray w = p.getArray();
            NDArray g = w.getGradient();
            if (weightDecay != 0) {
                try (NDArray decay = w.mul(weightDecay)) {
                    g.addi(decay);
                }
            }
            NDArray buf = buffers.get(e.getKey());
            if (buf == null || momentum == 0) {
                if (buf != null) {
                    buf.close();
                }
                buf = g.duplicate();
                buf.attach(stateManager);
                buffers.put(e.getKey(), buf);
            } else {
                buf.muli(momentum).addi(g);
            }
            try (NDArray delta = buf.mul((float) learningRate.applyAsDouble(e.getKey()))) {
                w.subi(delta);
            }
            g.subi(g);
            g.close();
        }
    }

    /** Momentum buffers by parameter name (empty before the first step). */
    public Map<String, NDArray> state() {
        return java.util.Collections.unmodifiableMap(buffers);
    }

    /** Restores momentum buffers saved by {@link #state()}, copying them onto this optimizer's device. */
    public void loadState(Map<String, NDArray> saved) {
        buffers.values().forEach(NDArray::close);
        buffers.clear();
        for (Map.Entry<String, NDArray> e : saved.entrySet()) {
            // duplicate() is a real clone: arrays read from a file may alias a buffer that is freed
            // with their manager, and toDevice() to the same device would return that alias.
            NDArray onDevice = e.getValue().toDevice(stateManager.getDevice(), false);
            NDArray copy = onDevice.duplicate();
            copy.attach(stateManager);
            buffers.put(e.getKey(), copy);
        }
    }

    public float momentum() {
        return momentum;
    }

    public float weightDecay() {
        return weightDecay;
    }

    @Override
    public void close() {
        stateManager.close();
    }
}
