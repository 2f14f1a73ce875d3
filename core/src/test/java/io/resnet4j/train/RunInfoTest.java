package io.resnet4j.train;

import static org.assertj.core.api.Assertions.assertThat;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Provenance: every field present; git facts from a repository made by the test, unknown outside one. */
class RunInfoTest {

    @Test
    void jsonHasEveryFieldWithPlausibleValues(@TempDir Path notARepository) {
        Instant start = Instant.parse("2026-01-02T03:04:05.678Z");
        RunInfo info = RunInfo.collect(notARepository, start);
        ObjectNode json = info.toJson();

        assertThat(json.fieldNames()).toIterable().containsExactlyInAnyOrder(
                "resnet4j_version", "djl_version", "pytorch_native_version", "java_version", "java_vendor",
                "os", "arch", "available_processors", "hostname", "git_commit", "git_dirty", "git_revision",
                "start_time");
        assertThat(json.get("djl_version").asText()).isEqualTo("0.35.0");
        assertThat(json.get("pytorch_native_version").asText()).isEqualTo("2.7.1");
        // Tests run from target/classes, not a jar, so there is no manifest version.
        assertThat(json.get("resnet4j_version").asText()).isEqualTo("development");
        assertThat(json.get("java_version").asText()).isEqualTo(System.getProperty("java.version"));
        assertThat(json.get("java_vendor").asText()).isNotBlank();
        assertThat(json.get("os").asText()).startsWith(System.getProperty("os.name"));
        assertThat(json.get("arch").asText()).isEqualTo(System.getProperty("os.arch"));
        assertThat(json.get("available_processors").asInt()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(json.get("hostname").asText()).isNotBlank();
        assertThat(json.get("start_time").asText()).isEqualTo("2026-01-02T03:04:05.678Z");
    }

    @Test
    void insideARepositoryTheCommitAndItsDirtinessAreKnown(@TempDir Path repo) throws Exception {
        assumeTrue(git(repo, "--version") == 0, "git is not installed");
        assertThat(git(repo, "init", "-q")).isZero();
        Files.writeString(repo.resolve("README"), "a run's code\n");
        assertThat(git(repo, "add", "README")).isZero();
        assertThat(git(repo, "-c", "user.name=test", "-c", "user.email=test@example.org", "-c", "commit.gpgsign=false",
                "commit", "-q", "-m", "first")).isZero();
        String head = new String(new ProcessBuilder("git", "rev-parse", "HEAD").directory(repo.toFile()).start()
                .getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();

        RunInfo clean = RunInfo.collect(repo, Instant.now());
        assertThat(clean.gitCommit()).isEqualTo(head).matches("[0-9a-f]{40}");
        assertThat(clean.gitDirty()).isFalse();
        assertThat(clean.gitRevision()).isEqualTo(head);

        Files.writeString(repo.resolve("README"), "changed\n");
        RunInfo dirty = RunInfo.collect(repo, Instant.now());
        assertThat(dirty.gitDirty()).isTrue();
        assertThat(dirty.toJson().get("git_revision").asText()).isEqualTo(head + "-dirty");
    }

    private static int git(Path dir, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("git"));
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor();
        } catch (java.io.IOException e) {
            return -1; // no git on the PATH
        }
    }

    @Test
    void outsideARepositoryGitFactsAreUnknown(@TempDir Path dir) {
        RunInfo info = RunInfo.collect(dir, Instant.now());
        assertThat(info.gitCommit()).isEqualTo(RunInfo.UNKNOWN);
        assertThat(info.gitDirty()).isNull();
        assertThat(info.gitRevision()).isEqualTo("unknown");
        assertThat(info.toJson().get("git_dirty").isNull()).isTrue();
    }

    @Test
    void dirtyRevisionCarriesSuffix() {
        String sha = "0123456789abcdef0123456789abcdef01234567";
        RunInfo clean = new RunInfo("v", "0.35.0", "2.7.1", "17", "x", "Linux", "amd64", 2, "h", sha, false,
                Instant.EPOCH);
        RunInfo dirty = new RunInfo("v", "0.35.0", "2.7.1", "17", "x", "Linux", "amd64", 2, "h", sha, true,
                Instant.EPOCH);
        assertThat(clean.gitRevision()).isEqualTo(sha);
        assertThat(dirty.gitRevision()).isEqualTo(sha + "-dirty");
        assertThat(dirty.toJson().get("start_time").asText()).isEqualTo("1970-01-01T00:00:00Z");
    }
}
