package io.resnet4j.io;

import java.io.IOException;

/** A weights or checkpoint file that is not what it claims to be; the message names the file and the fault. */
public class WeightsFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public WeightsFormatException(String message) {
        super(message);
    }
}
