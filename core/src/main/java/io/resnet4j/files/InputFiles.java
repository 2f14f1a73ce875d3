package io.resnet4j.files;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Checks on files named by users before they are opened: opening a FIFO for reading blocks until
 * something writes to it, so a pipe, socket or device given as an input would hang the command
 * instead of failing it.
 */
public final class InputFiles {

    private InputFiles() {}

    /**
     * @param what the role of the file in the message, e.g. "an image" or "a weights file"
     * @throws NoSuchFileException when nothing is there
     * @throws IOException naming the file when it is a folder, FIFO, socket or device
     */
    public static void requireRegularFile(Path file, String what) throws IOException {
        if (Files.isRegularFile(file)) {
            return;
        }
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString());
        }
        throw new IOException(file + " is not a regular file (" + (Files.isDirectory(file) ? "a folder"
                : "a FIFO, socket or device") + "); expected " + what);
    }
}
