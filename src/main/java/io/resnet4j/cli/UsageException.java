package io.resnet4j.cli;

/** Bad input a user can fix by changing the command line; exits with code 2. */
public final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
