package io.resnet4j.detection.eval;

import io.resnet4j.detection.AnnotatedImage;
import io.resnet4j.detection.AnnotatedObject;
import io.resnet4j.detection.Detection;
import java.util.ArrayList;
import java.util.List;

/** What both metrics do with one image: checks, and one class's objects and detections. */
final class Detections {

    private Detections() {}

    /** @throws IllegalArgumentException naming the first detection a metric cannot rank or score */
    static void check(List<Detection> detections, int numClasses) {
        for (Detection d : detections) {
            if (Float.isNaN(d.score())) {
                throw new IllegalArgumentException("a detection has a NaN score (label " + d.label() + "); the"
                        + " detector's output is broken");
            }
            if (d.label() < 1 || d.label() >= numClasses) {
                throw new IllegalArgumentException("a detection has label " + d.label() + ", outside 1.."
                        + (numClasses - 1) + " of the data set's classes");
            }
        }
    }

    /** The image's objects of one class, in annotation order. */
    static List<AnnotatedObject> objectsOf(AnnotatedImage image, int label) {
        List<AnnotatedObject> out = new ArrayList<>();
        for (AnnotatedObject o : image.objects()) {
            if (o.label() == label) {
                out.add(o);
            }
        }
        return out;
    }

    /** One class's detections by descending score; equal scores keep the detector's order (a stable sort). */
    static List<Detection> sortedByScore(List<Detection> detections, int label) {
        List<Detection> out = new ArrayList<>();
        for (Detection d : detections) {
            if (d.label() == label) {
                out.add(d);
            }
        }
        out.sort((a, b) -> Float.compare(b.score(), a.score()));
        return out;
    }
}
