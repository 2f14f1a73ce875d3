package io.resnet4j.train;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Provenance of a training run, written into {@code run.json} in the spirit of Oracle Tribuo's
 * provenance objects: which code (resnet4j version and git commit, dirty or not), which libraries
 * (DJL, the pinned PyTorch native build), which JVM and machine, and when. A number in a results
 * table is only reproducible, or comparable with the paper's, if one can tell what produced it.
 *
 * <p>Collecting never fails: anything that cannot be determined is recorded as {@value #UNKNOWN}.
 * Nothing here loads the native engine ({@code Engine.getDjlVersion()} reads a resource).
 *
 * @param resnet4jVersion the jar's Implementation-Version, or "development" outside a jar
 * @param djlVersion DJL's version
 * @param pytorchNativeVersion the libtorch version pinned in the pom
 * @param javaVersion {@code java.version}
 * @param javaVendor {@code java.vendor}
 * @param os {@code os.name} and {@code os.version}
 * @param arch {@code os.arch}
 * @param availableProcessors processors visible to the JVM (cgroup limits included)
 * @param hostname the machine's name, or {@value #UNKNOWN}
 * @param gitCommit the 40-hex commit of the working directory's checkout, or {@value #UNKNOWN}
 * @param gitDirty whether that checkout had uncommitted changes; null when unknown
 * @param startTime when the run started, UTC
 */
public record RunInfo(
        String resnet4jVersion,
        String djlVersion,
        String pytorchNativeVersion,
        String javaVersion,
        String javaVendor,
        String os,
        String arch,
        int availableProcessors,
        String hostname,
        String gitCommit,
        Boolean gitDirty,
        Instant startTime) {

    /** Placeholder for facts that could not be determined. */
    public static final String UNKNOWN = "unknown";


    /** How long each git command may take: a hung git (network file system, lock) must not stall training. */
    static final long GIT_TIMEOUT_SECONDS = 5;

    private static final Pattern SHA1 = Pattern.compile("[0-9a-f]{40}");

    /** Requires the fields that are always known. */
    public RunInfo {
        Objects.requireNonNull(resnet4jVersion, "resnet4jVersion");
        Objects.requireNonNull(djlVersion, "djlVersion");
        Objects.requireNonNull(pytorchNativeVersion, "pytorchNativeVersion");
        Objects.requireNonNull(hostname, "hostname");
        Objects.requireNonNull(gitCommit, "gitCommit");
        Objects.requireNonNull(startTime, "startTime");
    }

    /** Collects provenance now, with git facts taken from the process's working directory. */
    public static RunInfo collect() {
        return collect(Path.of(System.getProperty("user.dir")), Instant.now());
    }

    /** Collects provenance with git facts from {@code workDir} and the given start time. */
    public static RunInfo collect(Path workDir, Instant startTime) {
        String commit = gitCommit(workDir);
        Boolean dirty = commit.equals(UNKNOWN) ? null : gitDirty(workDir);
        return new RunInfo(
                io.resnet4j.Versions.resnet4j(),
                detectDjlVersion(),
                io.resnet4j.Versions.PYTORCH_NATIVE,
                System.getProperty("java.version", UNKNOWN),
                System.getProperty("java.vendor", UNKNOWN),
                System.getProperty("os.name", UNKNOWN) + " " + System.getProperty("os.version", ""),
                System.getProperty("os.arch", UNKNOWN),
                Runtime.getRuntime().availableProcessors(),
                io.resnet4j.files.HostName.detect(),
                commit,
                dirty,
                startTime.truncatedTo(ChronoUnit.MILLIS));
    }

    /**
     * The commit with a "-dirty" suffix when the checkout had uncommitted changes (the convention of
     * {@code git describe --dirty}), {@value #UNKNOWN} when git could not tell.
     */
    public String gitRevision() {
        if (gitCommit.equals(UNKNOWN)) {
            return UNKNOWN;
        }
        return Boolean.TRUE.equals(gitDirty) ? gitCommit + "-dirty" : gitCommit;
    }

    /** The provenance as a JSON object with snake_case keys; start_time is ISO-8601 UTC. */
    public ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("resnet4j_version", resnet4jVersion);
        o.put("djl_version", djlVersion);
        o.put("pytorch_native_version", pytorchNativeVersion);
        o.put("java_version", javaVersion);
        o.put("java_vendor", javaVendor);
        o.put("os", os);
        o.put("arch", arch);
        o.put("available_processors", availableProcessors);
        o.put("hostname", hostname);
        o.put("git_commit", gitCommit);
        if (gitDirty == null) {
            o.putNull("git_dirty");
        } else {
            o.put("git_dirty", gitDirty);
        }
        o.put("git_revision", gitRevision());
        o.put("start_time", startTime.toString());
        return o;
    }

    static String detectDjlVersion() {
        try {
            String v = io.resnet4j.Versions.djl();
            return v == null || v.isBlank() ? UNKNOWN : v;
        } catch (RuntimeException | LinkageError e) {
            return UNKNOWN;
        }
    }

    /** {@code git rev-parse HEAD} in {@code dir}: 40 lower-case hex digits, or {@value #UNKNOWN}. */
    static String gitCommit(Path dir) {
        return git(dir, "rev-parse", "HEAD")
                .map(String::trim)
                .filter(s -> SHA1.matcher(s).matches())
                .orElse(UNKNOWN);
    }

    /** Whether {@code git status --porcelain} lists anything; null when git could not tell. */
    static Boolean gitDirty(Path dir) {
        return git(dir, "status", "--porcelain").map(s -> !s.isBlank()).orElse(null);
    }

    /** Runs git with a timeout; empty on any failure (git missing, not a repository, timeout, non-zero exit). */
    private static Optional<String> git(Path dir, String... args) {
        List<String> command = new ArrayList<>();
        command.add("git");
        command.addAll(List.of(args));
        Process process = null;
        try {
            process = new ProcessBuilder(command)
                    .directory(dir.toFile())
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            process.getOutputStream().close(); // git reads nothing; a closed stdin makes any prompt fail fast
            InputStream stdout = process.getInputStream();
            // Drain stdout concurrently: a long `git status` would otherwise fill the pipe and block.
            CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> readAll(stdout));
            if (!process.waitFor(GIT_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return Optional.empty();
            }
            if (process.exitValue() != 0) {
                return Optional.empty();
            }
            return Optional.of(output.get(GIT_TIMEOUT_SECONDS, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (Exception e) {
            return Optional.empty();
        } finally {
            if (process != null && process.isAlive()) {
                process.destroyForcibly();
            }
        }
    }

    private static String readAll(InputStream in) {
        try (in) {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            in.transferTo(buf);
            return buf.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
