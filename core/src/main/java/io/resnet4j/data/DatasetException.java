package io.resnet4j.data;

import io.resnet4j.io.PrintableText;
import java.io.IOException;

/**
 * A data set on disk is missing, truncated or malformed.
 *
 * <p>Why a dedicated type: callers (the CLI above all) print the message as the one line a user
 * sees, so every instance is created with a message that names the file, says what is wrong and
 * says how to fix it. Being an {@link IOException} it travels through the same {@code throws}
 * clauses as the genuine I/O errors it sits beside. Messages quote names from the data (archive
 * members, class names), so control characters are replaced to keep them one line.
 */
public class DatasetException extends IOException {
    private static final long serialVersionUID = 1L;

    /** @param message one line: the file, what is wrong with it, and how to fix it */
    public DatasetException(String message) {
        super(PrintableText.of(message));
    }

    /**
     * @param message one line: the file, what is wrong with it, and how to fix it
     * @param cause the lower-level failure, kept for stack traces
     */
    public DatasetException(String message, Throwable cause) {
        super(PrintableText.of(message), cause);
    }
}
