package io.resnet4j.detection.train;

import io.resnet4j.detection.ops.Boxes;
import io.resnet4j.detection.ops.DetectionTransform;

/**
 * One image of a training step, ready for the detector.
 *
 * @param input the resized, normalised and padded image
 * @param boxes its objects' boxes in the resized image's pixels, rows of (x1, y1, x2, y2)
 * @param labels their classes (1-based)
 */
public record TrainingImage(DetectionTransform.Input input, float[] boxes, int[] labels) {

    public TrainingImage {
        if (Boxes.count(boxes) != labels.length) {
            throw new IllegalArgumentException(boxes.length / 4 + " boxes with " + labels.length + " labels");
        }
    }
}
