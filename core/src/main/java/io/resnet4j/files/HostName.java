package io.resnet4j.files;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** This machine's name, for provenance and lock files. */
public final class HostName {

    private HostName() {}

    /**
     * Prefers sources that cannot block: $HOSTNAME, then the kernel's name, and only then a
     * resolver lookup (which can stall on a misconfigured DNS).
     *
     * @return the name, or {@code unknown}
     */
    public static String detect() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env.trim();
        }
        try {
            Path kernel = Path.of("/proc/sys/kernel/hostname");
            if (Files.isReadable(kernel)) {
                String h = Files.readString(kernel, StandardCharsets.UTF_8).trim();
                if (!h.isEmpty()) {
                    return h;
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through to the resolver
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
