package io.resnet4j;

import java.nio.file.Path;

/**
 * Where the data beside the project lives ({@code shared/} next to the checkout): the build passes
 * it as {@code resnet4j.shared}; tests that need it skip cleanly when it is absent.
 */
public final class SharedData {

    private SharedData() {}

    /** A path under the shared folder. */
    public static Path path(String first, String... more) {
        return Path.of(System.getProperty("resnet4j.shared", "../shared")).resolve(Path.of(first, more));
    }
}
