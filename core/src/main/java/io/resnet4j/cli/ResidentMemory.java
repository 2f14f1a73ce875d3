package io.resnet4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resident set size of this process (native memory included), from /proc on Linux; -1 elsewhere. */
public final class ResidentMemory {
    private ResidentMemory() {}

    public static long currentMb() {
        return statusMb("VmRSS:");
    }

    /** The most this process has held resident so far (its high-water mark). */
    public static long peakMb() {
        return statusMb("VmHWM:");
    }

    private static long statusMb(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
