package io.resnet4j.io;

import java.io.IOException;

/**
 * A weights or checkpoint file that is not what it claims to be; the message names the file and the
 * fault, on one line. Messages quote the file's own tensor names and keys, which may hold newlines
 * or terminal escapes, so control characters are replaced here once for every message.
 */
public class WeightsFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public WeightsFormatException(String message) {
        super(PrintableText.of(message));
    }
}
