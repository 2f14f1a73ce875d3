package io.resnet4j.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

/** What every fuzz target demands of a documented refusal: one line that names the file. */
public final class FuzzChecks {

    private FuzzChecks() {}

    public static void oneLineNaming(Exception e, Path file) {
        assertThat(e.getMessage()).isNotNull().contains(file.getFileName().toString()).doesNotContain("\n");
    }
}
