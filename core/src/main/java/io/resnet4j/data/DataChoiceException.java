package io.resnet4j.data;

/**
 * The data named cannot serve as asked: the path does not exist or holds no data set of the kind
 * read, or it lacks the split asked for. Unlike a damaged file (its parent type), the fix is to name
 * other data or another split, so a command line reports it as bad usage.
 */
public class DataChoiceException extends DatasetException {
    private static final long serialVersionUID = 1L;

    /** @param message one line: what was named, why it cannot serve, and what to name instead */
    public DataChoiceException(String message) {
        super(message);
    }
}
