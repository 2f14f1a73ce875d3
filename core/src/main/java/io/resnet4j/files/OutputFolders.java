package io.resnet4j.files;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The folders outputs go into. The JDK reports a folder it cannot create by the bare path of the
 * first one that failed ("/proc/nope"), which reads as a missing input; these messages name the
 * folder asked for, the one that could not be made, where, and why.
 */
public final class OutputFolders {

    /** A folder for output cannot be created there: a choice of place to change, not a failure of the work. */
    public static final class CannotCreateException extends IOException {
        private static final long serialVersionUID = 1L;

        CannotCreateException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private OutputFolders() {}

    /** Creates {@code dir} and its missing parents; nothing happens when it exists. */
    public static Path create(Path dir) throws IOException {
        try {
            return Files.createDirectories(dir);
        } catch (FileSystemException e) {
            Path failed = e.getFile() == null ? dir : Path.of(e.getFile());
            throw new CannotCreateException(cannotCreate(dir, failed, reason(e, failed)), e);
        }
    }

    /**
     * Checks, creating nothing, that a file could be written at {@code file}: the nearest existing
     * folder above it is a folder this process may write to. Places the system refuses for other
     * reasons (/proc) are found when {@link #create} is called.
     */
    public static void checkParentCreatable(Path file) throws CannotCreateException {
        Path parent = file.toAbsolutePath().getParent();
        Path existing = parent;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null || existing.equals(parent) && Files.isDirectory(parent)) {
            return;
        }
        Path failed = existing.equals(parent) ? parent : existing.resolve(parent.getName(existing.getNameCount()));
        if (!Files.isDirectory(existing)) {
            throw new CannotCreateException(cannotCreate(parent, failed, existing + " is a file, not a folder"), null);
        }
        if (!Files.isWritable(existing)) {
            throw new CannotCreateException(cannotCreate(parent, failed, "permission denied: " + existing
                    + " is not writable by this user"), null);
        }
    }

    private static String cannotCreate(Path asked, Path failed, String why) {
        String which = failed.equals(asked) ? "" : ": " + failed + " cannot be made";
        return "cannot create the folder " + asked + which + " (" + why + "); choose another place";
    }

    private static String reason(FileSystemException e, Path failed) {
        Path parent = failed.toAbsolutePath().getParent();
        if (Files.exists(parent) && !Files.isDirectory(parent)) {
            return parent + " is a file, not a folder";
        }
        if (e instanceof FileAlreadyExistsException) {
            return failed + " is a file, not a folder";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied: " + parent + " is not writable by this user";
        }
        if (e instanceof NoSuchFileException) {
            return parent + " takes no new folders: the system answers 'no such file or directory'";
        }
        String r = e.getReason();
        return r == null ? e.getClass().getSimpleName() : parent + ": " + r.toLowerCase(Locale.ROOT);
    }
}
