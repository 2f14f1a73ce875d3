package io.resnet4j.detection.model;

import io.resnet4j.detection.ops.Boxes;

/**
 * The ground truth of one training image.
 *
 * @param boxes rows of (x1, y1, x2, y2) in the original image's pixels
 * @param labels the class of each box (1-based; 0 is the background)
 */
public record DetectionTargets(float[] boxes, int[] labels) {

    public DetectionTargets {
        boxes = boxes.clone();
        labels = labels.clone();
        if (Boxes.count(boxes) != labels.length) {
            throw new IllegalArgumentException(boxes.length / 4 + " boxes with " + labels.length + " labels");
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 1 || !(boxes[4 * i + 2] > boxes[4 * i] && boxes[4 * i + 3] > boxes[4 * i + 1])) {
                throw new IllegalArgumentException("box " + i + " needs a label >= 1 and a positive width and height,"
                        + " got label " + labels[i] + " and " + java.util.Arrays.toString(Boxes.rows(boxes, new int[] {i})));
            }
        }
    }

    public int count() {
        return labels.length;
    }
}
