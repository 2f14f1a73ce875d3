package io.resnet4j.inference;

import java.util.Arrays;
import java.util.Locale;

/** Where features are taken: the pooled penultimate vector or a stage's output (the paper's names). */
public enum FeatureLayer {
    POOL("pool", -1),
    CONV2_X("conv2_x", 0),
    CONV3_X("conv3_x", 1),
    CONV4_X("conv4_x", 2),
    CONV5_X("conv5_x", 3);

    private final String label;
    private final int stage;

    FeatureLayer(String label, int stage) {
        this.label = label;
        this.stage = stage;
    }

    public String label() {
        return label;
    }

    /** 0-based stage (conv2_x is torchvision's layer1), or -1 for the pooled vector. */
    public int stage() {
        return stage;
    }

    /** @throws IllegalArgumentException naming the valid layers */
    public static FeatureLayer parse(String name) {
        for (FeatureLayer l : values()) {
            if (l.label.equals(name.trim().toLowerCase(Locale.ROOT))) {
                return l;
            }
        }
        throw new IllegalArgumentException("unknown layer '" + name + "': valid layers are "
                + String.join(", ", Arrays.stream(values()).map(FeatureLayer::label).toList()));
    }
}
