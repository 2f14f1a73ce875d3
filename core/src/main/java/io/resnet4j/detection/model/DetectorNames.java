package io.resnet4j.detection.model;

import io.resnet4j.model.ResNetFamily;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Detector names as the command line and run.json spell them, torchvision's way: {@code
 * fasterrcnn_BACKBONE_c4} (the ResNet paper's design) or {@code fasterrcnn_BACKBONE_fpn}
 * (torchvision's), e.g. {@code fasterrcnn_resnet50_c4}.
 */
public final class DetectorNames {

    private static final Pattern NAME = Pattern.compile("fasterrcnn_([a-z0-9-]+)_(c4|fpn)");

    private DetectorNames() {}

    /** The name of a configuration's design. */
    public static String of(FasterRcnnConfig config) {
        return "fasterrcnn_" + config.backbone() + "_" + config.architecture().name().toLowerCase(Locale.ROOT);
    }

    /**
     * The configuration a name stands for, with the design's defaults ({@link FasterRcnnConfig#c4} or
     * {@link FasterRcnnConfig#fpn}).
     *
     * @param numClasses classes including the background
     * @throws IllegalArgumentException naming the valid forms when the name is not one
     */
    public static FasterRcnnConfig parse(String name, int numClasses) {
        var m = NAME.matcher(name.trim().toLowerCase(Locale.ROOT));
        if (!m.matches() || ResNetFamily.find(m.group(1)).isEmpty()) {
            throw new IllegalArgumentException("unknown detector '" + name + "': use fasterrcnn_BACKBONE_c4 (the paper's)"
                    + " or fasterrcnn_BACKBONE_fpn (torchvision's) with a four-stage ResNet, e.g."
                    + " fasterrcnn_resnet50_c4, fasterrcnn_resnet101_c4, fasterrcnn_resnet18_c4, fasterrcnn_resnet50_fpn");
        }
        return m.group(2).equals("c4") ? FasterRcnnConfig.c4(m.group(1), numClasses)
                : FasterRcnnConfig.fpn(m.group(1), numClasses);
    }
}
