package io.resnet4j.inference;

/** What computes: eager libtorch or ONNX Runtime. Callers serialise the calls. */
interface Backend extends AutoCloseable {

    float[] logits(float[] input, int n, int height, int width);

    ImageClassifier.FeatureMaps features(float[] input, int n, int height, int width, FeatureLayer layer);

    /** The batch the input shape is fixed to, or 0. */
    int fixedBatch();

    @Override
    void close();
}
