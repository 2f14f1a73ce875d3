package io.resnet4j.detection.model;

import io.resnet4j.detection.ops.Boxes;

/**
 * The region proposals of one image, best first.
 *
 * @param boxes rows of (x1, y1, x2, y2) in the resized image's pixels
 * @param scores objectness probabilities
 */
public record Proposals(float[] boxes, float[] scores) {

    public Proposals {
        if (Boxes.count(boxes) != scores.length) {
            throw new IllegalArgumentException(boxes.length / 4 + " proposals with " + scores.length + " scores");
        }
    }

    public int count() {
        return scores.length;
    }
}
