package io.resnet4j.detection.eval;

import io.resnet4j.detection.AnnotatedImage;
import io.resnet4j.detection.Detection;
import java.util.List;

/**
 * A detection metric fed one image at a time: each image's detections are matched to its ground
 * truth when it is added, so only a few numbers per detection are kept, never images or boxes of
 * earlier images. Labels index the data set's class names (entry 0, the background, is never scored).
 */
public interface DetectionMetric {

    /**
     * Matches one image's detections (any order; labels in the data set's numbering) to its objects.
     *
     * @throws IllegalArgumentException for a detection with a NaN score or a label out of range
     */
    void add(AnnotatedImage truth, List<Detection> detections);

    /** The scores over every image added so far. */
    DetectionScores result();
}
