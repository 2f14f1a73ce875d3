package io.resnet4j.io;

/**
 * The file named as weights holds no weights format at all (an image, a text file, an empty file):
 * not a damaged checkpoint but the wrong file, so the fix is to name another one.
 */
public class NotWeightsException extends WeightsFormatException {
    private static final long serialVersionUID = 1L;

    public NotWeightsException(String message) {
        super(message);
    }
}
