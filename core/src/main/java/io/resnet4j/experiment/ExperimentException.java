package io.resnet4j.experiment;

/** A state of the experiment folder or its inputs that the user must resolve (the CLI exits 2 with the message). */
public final class ExperimentException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ExperimentException(String message) {
        super(message);
    }
}
