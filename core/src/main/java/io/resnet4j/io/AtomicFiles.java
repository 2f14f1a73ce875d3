package io.resnet4j.io;

import io.resnet4j.files.OutputFolders;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

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
     * The temporary file is locked while it is written, so a later write can tell the leftovers of
     * a killed process (unlocked) from a write in progress (locked) and remove only the first.
     *
     * @throws IOException naming the target; the target is then as it was before
     */
    public static void write(Path file, Writer writer) throws IOException {
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        OutputFolders.create(dir);
        removeStaleTemporaries(dir, target.getFileName().toString());
        Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE); FileLock lock = ch.lock()) {
            OutputStream channel = Channels.newOutputStream(ch);
            OutputStream out = new FilterOutputStream(channel) {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    channel.write(b, off, len); // FilterOutputStream would write byte by byte
                }

                @Override
                public void close() {
                    // the channel stays open, and locked, until the rename
                }
            };
            writer.writeTo(out);
            out.flush();
            shareable(tmp, target);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw naming(target, e);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** "No space left on device" alone does not say which of a run's files failed. */
    private static IOException naming(Path target, IOException e) {
        String msg = e.getMessage();
        if (msg != null && msg.contains(target.toString())) {
            return e;
        }
        return new IOException("could not write " + target + " (" + (msg == null ? e.getClass().getSimpleName() : msg)
                + "); the file was left as it was", e);
    }

    /** Deletes {@code .NAME.<digits>.tmp} siblings that no live writer holds locked (a kill -9 leaves them). */
    static void removeStaleTemporaries(Path dir, String name) throws IOException {
        removeStale(dir, Pattern.compile("\\." + Pattern.quote(name) + "\\.\\d+\\.tmp"));
    }

    /** Deletes the temporary files of every write into {@code dir} that no live writer holds locked. */
    public static void removeStaleTemporaries(Path dir) throws IOException {
        removeStale(dir, Pattern.compile("\\..+\\.\\d+\\.tmp"));
    }

    private static void removeStale(Path dir, Pattern mine) throws IOException {
        List<Path> candidates;
        try (Stream<Path> s = Files.list(dir)) {
            candidates = s.filter(p -> mine.matcher(p.getFileName().toString()).matches()).toList();
        }
        for (Path p : candidates) {
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE); FileLock lock = ch.tryLock()) {
                if (lock != null) {
                    Files.deleteIfExists(p);
                }
            } catch (OverlappingFileLockException | NoSuchFileException e) {
                // written by this JVM right now, or already gone
            }
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
