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
        int rows = rows(n);
        float[] out = model.logits(padded(input, n, rows, height, width), rows, height, width);
        return rows == n ? out : java.util.Arrays.copyOf(out, out.length / rows * n);
    }

    /** A model with a fixed batch runs short batches padded with zero images. */
    private int rows(int n) {
        return Math.max(n, model.fixedBatch());
    }

    private static float[] padded(float[] input, int n, int rows, int height, int width) {
        return rows == n ? input : java.util.Arrays.copyOf(input, rows * 3 * height * width);
    }

    @Override
    public ImageClassifier.FeatureMaps features(float[] input, int n, int height, int width, FeatureLayer layer) {
        if (layer != FeatureLayer.POOL) {
            throw new IllegalArgumentException("the " + layer.label() + " feature map needs the pytorch engine;"
                    + " the onnxruntime engine gives the pooled features");
        }
        int rows = rows(n);
        float[] values = model.features(padded(input, n, rows, height, width), rows, height, width);
        int per = values.length / rows;
        return new ImageClassifier.FeatureMaps(java.util.Arrays.copyOf(values, per * n), new long[] {per});
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
