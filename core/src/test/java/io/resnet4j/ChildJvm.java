package io.resnet4j;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A Java process started from a test with the test's classpath, as a user or a scheduler would
 * run resnet4j: signals are real, and a process started "in the background" inherits the signals
 * its shell ignores ({@code sh -c 'trap "" INT; exec java ...'}).
 */
public final class ChildJvm implements AutoCloseable {

    private final Process process;
    private final List<String> out = new ArrayList<>();
    private final List<String> err = new ArrayList<>();

    private ChildJvm(Process process) {
        this.process = process;
        drain(process.getInputStream(), out);
        drain(process.getErrorStream(), err);
    }

    /**
     * @param dir the working directory
     * @param ignored signals the process inherits as ignored ("INT", "HUP"), as from a shell's background job or nohup
     * @param jvmOptions options before the main class (-Dname=value ...)
     */
    public static ChildJvm start(Path dir, List<String> ignored, List<String> jvmOptions, String mainClass,
            List<String> args) throws IOException {
        List<String> command = new ArrayList<>();
        if (!ignored.isEmpty()) {
            command.addAll(List.of("sh", "-c", "trap '' " + String.join(" ", ignored) + "; exec \"$0\" \"$@\""));
        }
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "-Xmx1g", "-Dai.djl.offline=true",
                "-Dai.djl.pytorch.graph_optimizer=false"));
        command.addAll(jvmOptions);
        command.add(mainClass);
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        pb.environment().put("TORCH_CPP_LOG_LEVEL", "ERROR");
        return new ChildJvm(pb.start());
    }

    private static void drain(InputStream in, List<String> lines) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null;) {
                    synchronized (lines) {
                        lines.add(line);
                    }
                }
            } catch (IOException e) {
                // the process is gone
            }
        }, "child-output");
        t.setDaemon(true);
        t.start();
    }

    public long pid() {
        return process.pid();
    }

    /**
     * Sends a signal by name ("TERM", "INT", "HUP", "KILL").
     *
     * @return false when the process had already ended
     */
    public boolean signal(String name) throws IOException, InterruptedException {
        int rc = new ProcessBuilder("kill", "-s", name, String.valueOf(process.pid()))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        if (rc != 0 && process.isAlive()) {
            throw new IOException("kill -s " + name + " " + process.pid() + " failed with " + rc);
        }
        return rc == 0;
    }

    /** Waits until a line of stdout matches, or the process ends. */
    public boolean awaitOut(Predicate<String> match, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < deadline) {
            synchronized (out) {
                if (out.stream().anyMatch(match)) {
                    return true;
                }
            }
            if (!process.isAlive()) {
                return false;
            }
            Thread.sleep(20);
        }
        return false;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** @return the exit code; fails when the process does not end in time */
    public int waitFor(long timeoutSeconds) throws InterruptedException {
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the child did not end within " + timeoutSeconds + " s; " + this);
        }
        Thread.sleep(50); // let the readers take the last lines
        return process.exitValue();
    }

    public String out() {
        synchronized (out) {
            return String.join("\n", out);
        }
    }

    public String err() {
        synchronized (err) {
            return String.join("\n", err);
        }
    }

    @Override
    public String toString() {
        return "stdout:\n" + out() + "\nstderr:\n" + err();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
