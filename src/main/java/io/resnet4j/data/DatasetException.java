package io.resnet4j.data;

import java.io.IOException;

/**
 * A data set on disk is missing, truncated or malformed.
 *
 * <p>Why a dedicated type: callers (the CLI above all) print the message as the one line a user
 * sees, so every instance is created with a message that names the file, says what is wrong and
 * says how to fix it. Being an {@link IOException} it travels through the same {@code throws}
 * clauses as the genuine I/O errors it sits beside.
 */
public class DatasetException extends IOException {
    private static final long serialVersionUID = 1L;

    /** @param message one line: the file, what is wrong with it, and how to fix it */
    public DatasetException(String message) {
        super(message);
    }

    /**
     * @param message one line: the file, what is wrong with it, and how to fix it
     * @param cause the lower-level failure, kept for stack traces
     */
    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}
