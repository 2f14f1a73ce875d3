package io.resnet4j.inference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.resnet4j.model.GradMode;
import io.resnet4j.model.ResNet;

/** The DJL network itself, in inference mode; each batch's arrays live in a sub-manager closed after it. */
final class EagerBackend implements Backend {

    private final ResNet net;
    private final NDManager manager;
    private final ParameterStore parameters;

    /** Takes ownership of {@code manager}, which holds the network's weights. */
    EagerBackend(ResNet net, NDManager manager) {
        this.net = net;
        this.manager = manager;
        this.parameters = new ParameterStore(manager, false);
    }

    /** One graph at a time: DJL's parameter store and sub-managers are not meant for concurrent use. */
    @Override
    public boolean concurrent() {
        return false;
    }

    @Override
    public float[] logits(float[] input, int n, int height, int width) {
        GradMode.off();
        try (NDManager batch = manager.newSubManager()) {
            NDArray x = batch.create(input, new Shape(n, 3, height, width));
            return net.forward(parameters, new NDList(x), false).singletonOrThrow().toFloatArray();
        }
    }

    @Override
    public ImageClassifier.FeatureMaps features(float[] input, int n, int height, int width, FeatureLayer layer) {
        GradMode.off();
        try (NDManager batch = manager.newSubManager()) {
            NDArray x = batch.create(input, new Shape(n, 3, height, width));
            NDArray f = layer == FeatureLayer.POOL ? net.pooledFeatures(parameters, x, false)
                    : net.stageOutput(parameters, x, layer.stage(), false);
            return new ImageClassifier.FeatureMaps(f.toFloatArray(), f.getShape().slice(1).getShape());
        }
    }

    @Override
    public int fixedBatch() {
        return 0;
    }

    @Override
    public void close() {
        manager.close();
    }
}
