package io.resnet4j.serve;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Who may call the API. On the loopback interface only local users reach the server, so no token
 * is needed; on any other address a bearer token is required unless the operator explicitly
 * accepts an open server.
 */
public final class AccessPolicy {

    /** Shorter tokens are too easy to guess for a server others can reach. */
    public static final int MIN_TOKEN_LENGTH = 16;

    private final byte[] tokenDigest;

    private AccessPolicy(String token) {
        this.tokenDigest = token == null ? null : sha256(token);
    }

    /** No token: every request is allowed. */
    public static AccessPolicy open() {
        return new AccessPolicy(null);
    }

    /** Every API request must carry {@code Authorization: Bearer TOKEN}. */
    public static AccessPolicy bearer(String token) {
        if (token == null || token.strip().length() < MIN_TOKEN_LENGTH) {
            throw new IllegalArgumentException("the auth token must be at least " + MIN_TOKEN_LENGTH
                    + " characters (e.g. 'openssl rand -hex 32 > token')");
        }
        return new AccessPolicy(token.strip());
    }

    /** The token in a file (surrounding whitespace, such as the final newline, ignored). */
    public static AccessPolicy bearerFromFile(Path file) throws IOException {
        return bearer(Files.readString(file, StandardCharsets.UTF_8));
    }

    public boolean requiresToken() {
        return tokenDigest != null;
    }

    /**
     * Whether a request with this Authorization header may proceed. The comparison takes the same
     * time wherever the first wrong character is (digests of equal length, compared in full).
     */
    public boolean allows(String authorizationHeader) {
        if (tokenDigest == null) {
            return true;
        }
        if (authorizationHeader == null || !authorizationHeader.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        return MessageDigest.isEqual(tokenDigest, sha256(authorizationHeader.substring(7).strip()));
    }

    /**
     * Refuses a binding that would expose an unauthenticated server beyond this machine.
     *
     * @throws IllegalArgumentException when {@code host} is not a loopback address, no token is
     *     set and {@code insecure} was not asked for
     */
    public static void checkBinding(String host, AccessPolicy policy, boolean insecure) {
        if (!isLoopback(host) && !policy.requiresToken() && !insecure) {
            throw new IllegalArgumentException("binding " + host + " exposes the server beyond this machine: give"
                    + " --auth-token-file FILE (clients send 'Authorization: Bearer TOKEN'), or --insecure to"
                    + " serve without authentication");
        }
    }

    /** Whether every address {@code host} names is a loopback address ("localhost", 127.0.0.0/8, ::1). */
    public static boolean isLoopback(String host) {
        try {
            InetAddress[] all = InetAddress.getAllByName(host);
            for (InetAddress a : all) {
                if (!a.isLoopbackAddress()) {
                    return false;
                }
            }
            return all.length > 0;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
