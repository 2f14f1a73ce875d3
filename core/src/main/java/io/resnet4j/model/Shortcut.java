package io.resnet4j.model;

import java.util.Locale;

/**
 * Shortcut options of section 3.3 / Table 3 of the paper, used where a unit changes dimensions.
 */
public enum Shortcut {
    /** Identity; stride-2 subsampling and zero-padded extra channels where dimensions change. No parameters. */
    A,
    /** 1x1 projection (+BN) only where dimensions change; identity elsewhere. */
    B,
    /** 1x1 projection (+BN) on every shortcut. */
    C;

    /** Parses "A", "b", ... with an error that lists the valid values. */
    public static Shortcut parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "unknown shortcut option '" + text + "': valid options are A (identity, zero-padded),"
                            + " B (projection where dimensions change), C (projection everywhere)");
        }
    }
}
