package io.resnet4j.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.resnet4j.ChildJvm;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real signals to a real process ({@link StopSignalsChild}, no libtorch, a fraction of a second
 * each): SIGTERM, SIGINT inherited as ignored from a shell's background job, an ignored SIGHUP left
 * alone, a second signal and a grace period that runs out.
 */
class StopSignalsProcessTest {

    @TempDir
    Path dir;

    private ChildJvm child(List<String> ignored, long graceMillis, String mode) throws Exception {
        ChildJvm c = ChildJvm.start(dir, ignored, List.of(), StopSignalsChild.class.getName(),
                List.of(String.valueOf(graceMillis), mode));
        assertThat(c.awaitOut("ready"::equals, 30_000)).as(c.toString()).isTrue();
        return c;
    }

    @Test
    void sigtermStopsTheJobCleanlyWithExitCode143() throws Exception {
        try (ChildJvm c = child(List.of(), 30_000, "clean")) {
            c.signal("TERM");
            assertThat(c.waitFor(30)).as(c.toString()).isEqualTo(143);
            assertThat(c.out()).contains("stop SIGTERM").contains("stopped cleanly").doesNotContain("halting");
        }
    }

    @Test
    void sigintInheritedAsIgnoredStillStopsTheJob() throws Exception {
        // The setup is what a shell does to a background job: the signal really is ignored there.
        Process shell = new ProcessBuilder("sh", "-c", "trap '' INT; exec sleep 30").start();
        Thread.sleep(300);
        new ProcessBuilder("kill", "-s", "INT", String.valueOf(shell.pid())).start().waitFor();
        Thread.sleep(300);
        assertThat(shell.isAlive()).as("sleep with SIGINT ignored survives it").isTrue();
        shell.destroyForcibly();

        try (ChildJvm c = child(List.of("INT"), 30_000, "clean")) {
            c.signal("INT");
            assertThat(c.waitFor(30)).as(c.toString()).isEqualTo(130);
            assertThat(c.out()).contains("stop SIGINT").contains("stopped cleanly");
        }
    }

    @Test
    void anIgnoredSighupStaysIgnoredAsNohupAsks() throws Exception {
        try (ChildJvm c = child(List.of("HUP"), 30_000, "clean")) {
            c.signal("HUP");
            Thread.sleep(500);
            assertThat(c.isAlive()).as(c.toString()).isTrue();
            c.signal("TERM");
            assertThat(c.waitFor(30)).as(c.toString()).isEqualTo(143);
            assertThat(c.out()).doesNotContain("SIGHUP");
        }
    }

    @Test
    void aSecondSignalOrTheEndOfTheGracePeriodHaltsAJobThatDoesNotStop() throws Exception {
        try (ChildJvm c = child(List.of("INT"), 30_000, "stuck")) {
            c.signal("INT");
            assertThat(c.awaitOut("stop SIGINT"::equals, 10_000)).as(c.toString()).isTrue();
            c.signal("INT");
            assertThat(c.waitFor(30)).as(c.toString()).isEqualTo(130);
            assertThat(c.out()).contains("halting SIGINT again: stopped at once").doesNotContain("stopped cleanly");
        }
        try (ChildJvm c = child(List.of(), 300, "stuck")) {
            long start = System.nanoTime();
            c.signal("TERM");
            assertThat(c.waitFor(30)).as(c.toString()).isEqualTo(143);
            assertThat((System.nanoTime() - start) / 1e9).isLessThan(20);
            assertThat(c.out()).contains("halting SIGTERM: not stopped within the grace period of 0 s");
        }
    }
}
