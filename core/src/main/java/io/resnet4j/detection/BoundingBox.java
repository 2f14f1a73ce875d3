package io.resnet4j.detection;

/**
 * An axis-aligned box in pixel coordinates of the original image, corners (x1, y1) top-left and
 * (x2, y2) bottom-right, as torchvision and COCO's {@code [x, y, w, h]} converted to corners.
 */
public record BoundingBox(float x1, float y1, float x2, float y2) {

    public BoundingBox {
        if (!(x2 >= x1 && y2 >= y1)) {
            throw new IllegalArgumentException("a box needs x2 >= x1 and y2 >= y1, got [" + x1 + ", " + y1 + ", "
                    + x2 + ", " + y2 + "]");
        }
    }

    public float width() {
        return x2 - x1;
    }

    public float height() {
        return y2 - y1;
    }

    /** Continuous area (COCO's convention; VOC's "+1" pixel convention is the metric's business). */
    public float area() {
        return width() * height();
    }

    public float[] toArray() {
        return new float[] {x1, y1, x2, y2};
    }
}
