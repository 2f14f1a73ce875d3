package io.resnet4j.inference;

/** What computes: eager libtorch or ONNX Runtime. Callers serialise the calls unless {@link #concurrent()}. */
interface Backend extends AutoCloseable {

    /** Whether batches may run from several threads at once. */
    boolean concurrent();

    float[] logits(float[] input, int n, int height, int width);

    ImageClassifier.FeatureMaps features(float[] input, int n, int height, int width, FeatureLayer layer);

    /** The batch the input shape is fixed to, or 0. */
    int fixedBatch();

    @Override
    void close();
}
