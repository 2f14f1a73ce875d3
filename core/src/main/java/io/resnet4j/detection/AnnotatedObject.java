package io.resnet4j.detection;

/**
 * A ground-truth object. {@code difficult} is Pascal VOC's flag (ignored by its metric: neither a
 * hit nor a miss); {@code crowd} is COCO's {@code iscrowd} (a region that any number of detections
 * may match without counting as false positives).
 */
public record AnnotatedObject(BoundingBox box, int label, boolean difficult, boolean crowd) {

    public static AnnotatedObject of(BoundingBox box, int label) {
        return new AnnotatedObject(box, label, false, false);
    }
}
