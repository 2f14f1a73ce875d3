package io.resnet4j.files;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive lock on a run folder, so two trainings (or a training and a resume) never write the
 * same checkpoints and metrics. The lock is the operating system's on {@code .resnet4j.lock}: it ends
 * with the process, however it ends, so a lock file left by a killed run is stale by construction
 * and simply taken over; while held, the file names the holder (pid and host) for the message.
 */
public final class RunLock implements AutoCloseable {

    /** The lock file's name inside a run folder. */
    public static final String FILE = ".resnet4j.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private RunLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Locks {@code runDir} (created if needed).
     *
     * @throws LockedException naming the holder when another process has the folder
     */
    public static RunLock acquire(Path runDir) throws IOException {
        OutputFolders.create(runDir);
        Path file = runDir.resolve(FILE);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // this very JVM holds it
        }
        if (lock == null) {
            String holder = holder(channel);
            channel.close();
            throw new LockedException(runDir + " is in use by another resnet4j process (" + holder
                    + "); wait for it to finish or stop it, or choose another folder");
        }
        channel.truncate(0);
        channel.write(ByteBuffer.wrap(("pid " + ProcessHandle.current().pid() + " on " + HostName.detect() + "\n")
                .getBytes(StandardCharsets.UTF_8)), 0);
        channel.force(false);
        return new RunLock(channel, lock);
    }

    private static String holder(FileChannel channel) {
        try {
            ByteBuffer b = ByteBuffer.allocate(256);
            int n = channel.read(b, 0);
            String text = n <= 0 ? "" : new String(b.array(), 0, n, StandardCharsets.UTF_8).trim();
            return text.isEmpty() ? "holder unknown" : text.replaceAll("\\p{Cntrl}", "?");
        } catch (IOException e) {
            return "holder unknown";
        }
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }

    /** The folder is locked by another process. */
    public static final class LockedException extends IOException {
        private static final long serialVersionUID = 1L;

        LockedException(String message) {
            super(message);
        }
    }
}
