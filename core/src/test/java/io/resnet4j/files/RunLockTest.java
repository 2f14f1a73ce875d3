package io.resnet4j.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunLockTest {

    @TempDir
    Path dir;

    @Test
    void aSecondHolderIsRefusedWithTheFirstOnesPid() throws Exception {
        Path run = dir.resolve("run");
        try (RunLock first = RunLock.acquire(run)) {
            assertThatThrownBy(() -> RunLock.acquire(run)).isInstanceOf(RunLock.LockedException.class)
                    .hasMessageContaining("is in use by another resnet4j process (pid " + ProcessHandle.current().pid());
        }
        try (RunLock again = RunLock.acquire(run)) {
            assertThat(Files.readString(run.resolve(RunLock.FILE))).startsWith("pid ");
        }
    }

    @Test
    void aLockFileLeftByAKilledProcessIsStaleAndTakenOver() throws Exception {
        Path run = Files.createDirectories(dir.resolve("run"));
        Files.writeString(run.resolve(RunLock.FILE), "pid 99999 on elsewhere\n");
        try (RunLock lock = RunLock.acquire(run)) {
            assertThat(Files.readString(run.resolve(RunLock.FILE))).doesNotContain("99999");
        }
    }

    @Test
    void anotherProcessHoldingTheLockIsSeen() throws Exception {
        Path run = Files.createDirectories(dir.resolve("run"));
        Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), Holder.class.getName(), run.toString()).start();
        try {
            assertThat(new String(holder.getInputStream().readNBytes(6))).isEqualTo("locked");
            assertThatThrownBy(() -> RunLock.acquire(run)).isInstanceOf(RunLock.LockedException.class)
                    .hasMessageContaining("pid " + holder.pid());
        } finally {
            holder.destroyForcibly().waitFor();
        }
        try (RunLock lock = RunLock.acquire(run)) {
            assertThat(lock).isNotNull(); // the killed holder's lock went with it
        }
    }

    /** Holds a run folder's lock until killed. */
    public static final class Holder {
        public static void main(String[] args) throws Exception {
            RunLock lock = RunLock.acquire(Path.of(args[0]));
            System.out.print("locked");
            System.out.flush();
            Thread.sleep(120_000);
            lock.close();
        }
    }
}
