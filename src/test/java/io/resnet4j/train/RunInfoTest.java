package io.resnet4j.train;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Provenance: every field present, git facts well-formed, nothing fails outside a repository. */
class RunInfoTest {

    @Test
    void jsonHasEveryFieldWithPlausibleValues() {
        Instant start = Instant.parse("2026-01-02T03:04:05.678Z");
        RunInfo info = RunInfo.collect(Path.of(System.getProperty("user.dir")), start);
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

        String commit = json.get("git_commit").asText();
        assertThat(commit).matches("[0-9a-f]{40}|unknown");
        if (commit.equals("unknown")) {
            assertThat(json.get("git_dirty").isNull()).isTrue();
            assertThat(json.get("git_revision").asText()).isEqualTo("unknown");
        } else {
            boolean dirty = json.get("git_dirty").asBoolean();
            assertThat(json.get("git_revision").asText()).isEqualTo(dirty ? commit + "-dirty" : commit);
        }
    }

    @Test
    void insideThisCheckoutTheCommitIsKnown() {
        // The build runs in the project's git checkout (a worktree counts); if git is installed the
        // commit must be found. Without git on the PATH, "unknown" is the documented answer.
        String commit = RunInfo.gitCommit(Path.of(System.getProperty("user.dir")));
        if (gitInstalled()) {
            assertThat(commit).matches("[0-9a-f]{40}");
        } else {
            assertThat(commit).isEqualTo("unknown");
        }
    }

    private static boolean gitInstalled() {
        try {
            Process p = new ProcessBuilder("git", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0;
        } catch (Exception e) {
            return false;
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
