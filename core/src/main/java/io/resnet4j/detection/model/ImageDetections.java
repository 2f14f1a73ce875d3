package io.resnet4j.detection.model;

import io.resnet4j.detection.BoundingBox;
import io.resnet4j.detection.Detection;
import io.resnet4j.detection.ops.Boxes;
import java.util.ArrayList;
import java.util.List;

/**
 * A detector's output for one image, best first.
 *
 * @param boxes rows of (x1, y1, x2, y2)
 * @param scores class probabilities
 * @param labels class indices (1-based; 0 is the background and never reported)
 */
public record ImageDetections(float[] boxes, float[] scores, int[] labels) {

    public ImageDetections {
        if (Boxes.count(boxes) != scores.length || scores.length != labels.length) {
            throw new IllegalArgumentException(boxes.length / 4 + " boxes, " + scores.length + " scores and "
                    + labels.length + " labels");
        }
    }

    public int count() {
        return scores.length;
    }

    /** As the shared vocabulary's detections, named from {@code classNames} (by label). */
    public List<Detection> toDetections(List<String> classNames) {
        List<Detection> out = new ArrayList<>(count());
        for (int i = 0; i < count(); i++) {
            BoundingBox box = new BoundingBox(boxes[4 * i], boxes[4 * i + 1], boxes[4 * i + 2], boxes[4 * i + 3]);
            String name = labels[i] < classNames.size() ? classNames.get(labels[i]) : "class " + labels[i];
            out.add(new Detection(box, labels[i], name, scores[i]));
        }
        return out;
    }
}
