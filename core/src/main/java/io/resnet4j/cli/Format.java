package io.resnet4j.cli;

import java.util.Locale;

/** Number formatting shared by the commands' text output. */
final class Format {
    private Format() {}

    /** 11689512 -> "11,689,512". */
    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** Multiply-adds with a unit: 1814073344 -> "1.8141 G", 40551040 -> "40.55 M". */
    static String macs(long n) {
        if (n >= 1_000_000_000L) {
            return String.format(Locale.ROOT, "%.4f G", n / 1e9);
        }
        if (n >= 1_000_000L) {
            return String.format(Locale.ROOT, "%.2f M", n / 1e6);
        }
        return String.format(Locale.ROOT, "%.2f K", n / 1e3);
    }
}
