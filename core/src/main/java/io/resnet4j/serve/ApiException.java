package io.resnet4j.serve;

/**
 * A request the server refuses, with the HTTP status and the one-line message the client sees.
 * Messages never carry stack traces or server file paths.
 */
public final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final int retryAfterSeconds;

    public ApiException(int status, String message) {
        this(status, message, 0);
    }

    private ApiException(int status, String message, int retryAfterSeconds) {
        super(message, null, false, false);
        this.status = status;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** 503 with a Retry-After header: the server is overloaded, the same request may succeed later. */
    public static ApiException busy(String message, int retryAfterSeconds) {
        return new ApiException(503, message, retryAfterSeconds);
    }

    public static ApiException badRequest(String message) {
        return new ApiException(400, message);
    }

    public static ApiException notFound(String message) {
        return new ApiException(404, message);
    }

    public static ApiException tooLarge(String message) {
        return new ApiException(413, message);
    }

    public static ApiException unsupportedMediaType(String message) {
        return new ApiException(415, message);
    }

    public int status() {
        return status;
    }

    /** Seconds for the Retry-After header, or 0 for none. */
    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
