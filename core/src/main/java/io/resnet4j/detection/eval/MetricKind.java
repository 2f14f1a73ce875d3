package io.resnet4j.detection.eval;

import java.util.List;
import java.util.Locale;

/** The detection metrics by their command-line names. */
public enum MetricKind {
    /** Pascal VOC2007's 11-point AP at IoU 0.5 (the paper's Table 7). */
    VOC07("voc07"),
    /** Pascal VOC2010+'s area under the monotone precision curve at IoU 0.5. */
    VOC("voc"),
    /** COCO's AP over IoU 0.5:0.95 and its eleven companions (the paper's Table 8). */
    COCO("coco");

    private final String label;

    MetricKind(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** A fresh metric for a data set with these class names (entry 0 the background). */
    public DetectionMetric create(List<String> classNames) {
        return switch (this) {
            case VOC07 -> new VocMetric(VocMetric.Kind.VOC2007, classNames);
            case VOC -> new VocMetric(VocMetric.Kind.VOC2010, classNames);
            case COCO -> new CocoMetric(classNames);
        };
    }

    /** @throws IllegalArgumentException naming the choices */
    public static MetricKind parse(String name) {
        for (MetricKind k : values()) {
            if (k.label.equals(name.toLowerCase(Locale.ROOT))) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown detection metric '" + name + "'; use voc07, voc or coco");
    }
}
