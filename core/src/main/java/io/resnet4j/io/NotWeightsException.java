package io.resnet4j.io;

/**
 * The file named as weights holds none that the command can use (an image, a text file, an empty
 * file, a detector given to a classifier): not a damaged checkpoint but the wrong file, so the fix is
 * to name another one.
 */
public class NotWeightsException extends WeightsFormatException {
    private static final long serialVersionUID = 1L;

    public NotWeightsException(String message) {
        super(message);
    }
}
