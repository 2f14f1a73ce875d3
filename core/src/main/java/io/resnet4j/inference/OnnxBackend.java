package io.resnet4j.inference;

import io.resnet4j.onnx.OnnxRuntimeModel;

/** An exported network on ONNX Runtime: logits and pooled features (stage maps are not graph outputs). */
final class OnnxBackend implements Backend {

    private final OnnxRuntimeModel model;

    OnnxBackend(OnnxRuntimeModel model) {
        this.model = model;
    }

    /** ONNX Runtime sessions run concurrently, so tasks sharing one model each compute on their own thread. */
    @Override
    public boolean concurrent() {
        return true;
    }

    @Override
    public float[] logits(float[] input, int n, int height, int width) {
        return model.logits(input, n, height, width);
    }

    @Override
    public ImageClassifier.FeatureMaps features(float[] input, int n, int height, int width, FeatureLayer layer) {
        if (layer != FeatureLayer.POOL) {
            throw new IllegalArgumentException("the " + layer.label() + " feature map needs the pytorch engine;"
                    + " the onnxruntime engine gives the pooled features");
        }
        float[] values = model.features(input, n, height, width);
        return new ImageClassifier.FeatureMaps(values, new long[] {values.length / n});
    }

    @Override
    public int fixedBatch() {
        return model.fixedBatch();
    }

    @Override
    public void close() {
        model.close();
    }
}
