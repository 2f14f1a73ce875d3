package io.resnet4j.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Writes a file through a temporary sibling and a rename, so a crash or a rendering error never
 * leaves a truncated figure where a reader (a report, a browser, a later run) expects a whole one.
 */
public final class AtomicFiles {

    /** Something that writes the whole content to a stream. */
    @FunctionalInterface
    public interface Writer {
        void writeTo(OutputStream out) throws IOException;
    }

    private AtomicFiles() {}

    /**
     * Writes {@code file} atomically: content goes to a temporary file in the same directory (same
     * file system, so the rename is atomic where supported), which then replaces {@code file}.
     */
    public static void write(Path file, Writer writer) throws IOException {
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                writer.writeTo(out);
            }
            shareable(tmp, target);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Temporary files are created owner-only (rw-------); a figure should be as readable as any
     * other output, so give it the replaced file's permissions, or rw-r--r-- for a new file.
     */
    private static void shareable(Path tmp, Path target) throws IOException {
        if (!Files.getFileStore(tmp).supportsFileAttributeView(PosixFileAttributeView.class)) {
            return;
        }
        Set<PosixFilePermission> perms = Files.exists(target)
                ? Files.getPosixFilePermissions(target)
                : PosixFilePermissions.fromString("rw-r--r--");
        Files.setPosixFilePermissions(tmp, perms);
    }

    /** Writes bytes atomically (temporary sibling, then rename). */
    public static void write(Path file, byte[] content) throws IOException {
        write(file, out -> out.write(content));
    }
}
