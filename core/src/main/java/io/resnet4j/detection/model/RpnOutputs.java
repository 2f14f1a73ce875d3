package io.resnet4j.detection.model;

import ai.djl.ndarray.NDArray;

/**
 * The region proposal network's outputs on one image, as training needs them.
 *
 * @param objectness (A) logits of every anchor, levels concatenated in anchor order
 * @param deltas (A, 4) box deltas of every anchor, in the same order
 * @param anchors A rows of (x1, y1, x2, y2) in the resized image's pixels, in the same order
 * @param proposals the proposals made with the training settings (the box head's input)
 */
public record RpnOutputs(NDArray objectness, NDArray deltas, float[] anchors, Proposals proposals) {}
