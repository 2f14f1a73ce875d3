package io.resnet4j.model;

/**
 * Where a bottleneck unit that halves the resolution carries its stride. The paper puts it on the
 * first 1x1 convolution; torchvision and most published weights ("ResNet v1.5") put it on the
 * 3x3. Same parameters, different function, so a checkpoint must record which it was trained with.
 */
public enum StridePlacement {
    FIRST_1X1("1x1"),
    MIDDLE_3X3("3x3");

    private final String label;

    StridePlacement(String label) {
        this.label = label;
    }

    /** The spelling used on the command line and in checkpoint metadata: "1x1" or "3x3". */
    public String label() {
        return label;
    }

    public static StridePlacement parse(String text) {
        for (StridePlacement p : values()) {
            if (p.label.equalsIgnoreCase(text.trim()) || p.name().equalsIgnoreCase(text.trim())) {
                return p;
            }
        }
        throw new IllegalArgumentException(
                "unknown stride placement '" + text + "': valid values are 1x1 (the paper) and 3x3 (torchvision, v1.5)");
    }
}
