package io.resnet4j.detection.eval;

import io.resnet4j.detection.BoundingBox;

/** Overlap of two boxes, in double precision as the reference tools compute it. */
final class Iou {

    private Iou() {}

    /**
     * Intersection over union of corner boxes in continuous coordinates. On Pascal VOC boxes read
     * as {@code (xmin - 1, ymin - 1, xmax, ymax)} this is exactly voc_eval.py's "+1" overlap on the
     * original 1-based inclusive pixel coordinates (widths there are {@code xmax - xmin + 1}).
     */
    static double iou(BoundingBox a, BoundingBox b) {
        double inter = intersection(a, b);
        return inter <= 0 ? 0 : inter / (area(a) + area(b) - inter);
    }

    /**
     * pycocotools' {@code maskUtils.iou} for boxes: intersection over union, or over the
     * detection's own area when the ground truth is a crowd region.
     */
    static double coco(BoundingBox detection, BoundingBox truth, boolean crowd) {
        double inter = intersection(detection, truth);
        if (inter <= 0) {
            return 0;
        }
        return inter / (crowd ? area(detection) : area(detection) + area(truth) - inter);
    }

    private static double intersection(BoundingBox a, BoundingBox b) {
        double w = Math.min((double) a.x2(), b.x2()) - Math.max((double) a.x1(), b.x1());
        if (w <= 0) {
            return 0;
        }
        double h = Math.min((double) a.y2(), b.y2()) - Math.max((double) a.y1(), b.y1());
        return h <= 0 ? 0 : w * h;
    }

    static double area(BoundingBox b) {
        return ((double) b.x2() - b.x1()) * ((double) b.y2() - b.y1());
    }
}
