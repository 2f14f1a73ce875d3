package io.resnet4j.cli;

import java.io.IOException;

/** Bad input a user can fix by changing the command line; exits with code 2. */
public final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }

    /** A library call whose argument errors come from the command line's values. */
    public interface Call<T> {
        T get() throws IOException;
    }

    /** Runs a call, turning the library's IllegalArgumentException (a bad value) into a usage error. */
    public static <T> T rethrow(Call<T> call) throws IOException {
        try {
            return call.get();
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /** {@link #rethrow} for calls that read no files. */
    public static <T> T rethrowUnchecked(java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }
}
