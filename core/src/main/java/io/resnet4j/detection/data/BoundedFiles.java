package io.resnet4j.detection.data;

import io.resnet4j.data.DatasetException;
import io.resnet4j.files.InputFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Reads a data set's small text files whole, refusing any larger than a limit before reading it. */
final class BoundedFiles {

    private BoundedFiles() {}

    /**
     * @param what the file's role in messages, e.g. "a VOC annotation"
     * @throws DatasetException naming the file when it is larger than {@code limit} bytes (checked
     *     again while reading, for files that grow)
     */
    static byte[] read(Path file, long limit, String what) throws IOException {
        InputFiles.requireRegularFile(file, what);
        long size = Files.size(file);
        if (size > limit) {
            throw tooLarge(file, size, limit, what);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes((int) limit + 1);
            if (bytes.length > limit) {
                throw tooLarge(file, bytes.length, limit, what);
            }
            return bytes;
        }
    }

    private static DatasetException tooLarge(Path file, long size, long limit, String what) {
        return new DatasetException(String.format(Locale.ROOT, "%s is %,d bytes, more than the %,d allowed for %s;"
                + " it is not %s or is corrupt", file, size, limit, what, what));
    }
}
