package io.resnet4j.detection.eval;

import io.resnet4j.detection.AnnotatedImage;
import io.resnet4j.detection.AnnotatedObject;
import io.resnet4j.detection.BoundingBox;
import io.resnet4j.detection.Detection;
import java.nio.file.Path;
import java.util.List;

/** Small builders for crafted metric cases: classes "a" (1) and "b" (2). */
final class MetricCases {

    static final List<String> CLASSES = List.of("__background__", "a", "b");

    private MetricCases() {}

    static BoundingBox box(double x1, double y1, double x2, double y2) {
        return new BoundingBox((float) x1, (float) y1, (float) x2, (float) y2);
    }

    static AnnotatedObject obj(int label, double x1, double y1, double x2, double y2) {
        return AnnotatedObject.of(box(x1, y1, x2, y2), label);
    }

    static AnnotatedObject difficult(int label, double x1, double y1, double x2, double y2) {
        return new AnnotatedObject(box(x1, y1, x2, y2), label, true, false);
    }

    static AnnotatedObject crowd(int label, double x1, double y1, double x2, double y2) {
        return new AnnotatedObject(box(x1, y1, x2, y2), label, false, true);
    }

    static Detection det(int label, double score, double x1, double y1, double x2, double y2) {
        return new Detection(box(x1, y1, x2, y2), label, CLASSES.get(label), (float) score);
    }

    static AnnotatedImage image(String id, AnnotatedObject... objects) {
        return new AnnotatedImage(id, Path.of(id + ".jpg"), 400, 400, List.of(objects));
    }

    static ClassScore classScore(DetectionScores s, int label) {
        return s.perClass().get(label - 1);
    }
}
