package io.resnet4j.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Collection;

/**
 * The overwrite policy of every output: an existing file is replaced only when the caller says so,
 * nothing that is not a regular file (a device, a FIFO, a folder) is ever replaced, and an output
 * is never one of the files being read.
 */
public final class OutputFiles {

    /** Why an output was refused. */
    public enum Refusal { EXISTS, NOT_A_REGULAR_FILE, IS_AN_INPUT }

    /** An output the policy refuses; the message names the path and the reason. */
    public static final class RefusedException extends IOException {
        private static final long serialVersionUID = 1L;
        private final transient Path target;
        private final Refusal reason;

        RefusedException(Path target, Refusal reason, String message) {
            super(message);
            this.target = target;
            this.reason = reason;
        }

        public Path target() {
            return target;
        }

        public Refusal reason() {
            return reason;
        }
    }

    private OutputFiles() {}

    /**
     * @param overwrite whether an existing regular file may be replaced
     * @param inputs files the same job reads (names of things that are not local files are ignored)
     * @throws RefusedException when the policy forbids writing {@code target}
     */
    public static void check(Path target, boolean overwrite, Collection<Path> inputs) throws RefusedException {
        for (Path in : inputs) {
            if (sameFile(target, in)) {
                throw new RefusedException(target, Refusal.IS_AN_INPUT, target + " is also an input of this job;"
                        + " writing it would destroy what is being read");
            }
        }
        if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS) && !Files.exists(target)) {
            return;
        }
        if (!Files.isRegularFile(target)) {
            throw new RefusedException(target, Refusal.NOT_A_REGULAR_FILE, target
                    + " exists and is not a regular file (a folder, device or pipe); it is never replaced");
        }
        if (!overwrite) {
            throw new RefusedException(target, Refusal.EXISTS, target + " already exists");
        }
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            if (Files.exists(a) && Files.exists(b)) {
                return Files.isSameFile(a, b);
            }
            return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
        } catch (IOException | SecurityException e) {
            return false;
        }
    }
}
