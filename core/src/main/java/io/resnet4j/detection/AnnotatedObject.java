package io.resnet4j.detection;

/**
 * A ground-truth object. {@code difficult} is Pascal VOC's flag (ignored by its metric: neither a
 * hit nor a miss); {@code crowd} is COCO's {@code iscrowd} (a region that any number of detections
 * may match without counting as false positives). {@code area} sorts the object into COCO's small,
 * medium and large ranges: COCO annotations carry their own (the segment's area, smaller than the
 * box's), which its metric uses; elsewhere it is the box's area.
 */
public record AnnotatedObject(BoundingBox box, int label, boolean difficult, boolean crowd, float area) {

    public AnnotatedObject {
        if (!(area >= 0) || Float.isInfinite(area)) {
            throw new IllegalArgumentException("an object's area must be finite and at least 0, got " + area);
        }
    }

    /** An object whose area is its box's. */
    public AnnotatedObject(BoundingBox box, int label, boolean difficult, boolean crowd) {
        this(box, label, difficult, crowd, box.area());
    }

    public static AnnotatedObject of(BoundingBox box, int label) {
        return new AnnotatedObject(box, label, false, false);
    }
}
