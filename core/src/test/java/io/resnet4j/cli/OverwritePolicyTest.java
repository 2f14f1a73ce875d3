package io.resnet4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every command that writes: no silent overwrite, never a non-regular file, never one of its inputs. */
class OverwritePolicyTest {

    @TempDir
    static Path dir;
    static Path checkpoint;
    static byte[] checkpointBytes;
    static Path image;

    @BeforeAll
    static void checkpoint() throws Exception {
        checkpoint = dir.resolve("r20.safetensors");
        CliTest.Result r = CliTest.run("convert", WeightsCliTest.fixture("resnet20_wrapped.pth").toString(),
                checkpoint.toString());
        assertThat(r.code()).as(r.err()).isZero();
        checkpointBytes = Files.readAllBytes(checkpoint);
        image = dir.resolve("img.png");
        var img = new java.awt.image.BufferedImage(40, 30, java.awt.image.BufferedImage.TYPE_INT_RGB);
        javax.imageio.ImageIO.write(img, "png", image.toFile());
    }

    private static void assertCheckpointIntact() throws Exception {
        assertThat(Arrays.equals(Files.readAllBytes(checkpoint), checkpointBytes)).as("checkpoint unchanged").isTrue();
    }

    @Test
    void convertRefusesAnExistingFileUnlessForced() throws Exception {
        Path out = Files.writeString(dir.resolve("existing.safetensors"), "mine");
        CliTest.Result r = CliTest.run("convert", checkpoint.toString(), out.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains(out + " already exists").contains("--force");
        assertThat(Files.readString(out)).isEqualTo("mine");
        r = CliTest.run("convert", checkpoint.toString(), out.toString(), "--force");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(Files.size(out)).isGreaterThan(1000);
    }

    @Test
    void convertOntoItsOwnInputIsRefusedEvenWithForce() throws Exception {
        CliTest.Result r = CliTest.run("convert", checkpoint.toString(), checkpoint.toString(), "--force");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("is also an input");
        assertCheckpointIntact();
    }

    @Test
    void featuresAndEvalNeverWriteOverTheCheckpointTheyRead() throws Exception {
        CliTest.Result f = CliTest.run("features", "--weights", checkpoint.toString(), "--output", checkpoint.toString(),
                "--force", image.toString());
        assertThat(f.code()).isEqualTo(2);
        assertThat(f.err()).contains("is also an input");
        CliTest.Result e = CliTest.run("eval", "--weights", checkpoint.toString(), "--data", dir.toString(), "--plot",
                checkpoint.toString(), "--force");
        assertThat(e.code()).isEqualTo(2);
        assertThat(e.err()).contains("is also an input");
        assertCheckpointIntact();
    }

    @Test
    void aFolderOrAPipeIsNeverReplaced() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("a-folder.safetensors"));
        CliTest.Result r = CliTest.run("convert", checkpoint.toString(), folder.toString(), "--force");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("not a regular file");
        assertThat(Files.isDirectory(folder)).isTrue();
        Path fifo = dir.resolve("pipe.onnx");
        if (new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0) {
            CliTest.Result x = CliTest.run("export", "--weights", checkpoint.toString(), "-o", fifo.toString(), "--force");
            assertThat(x.code()).isEqualTo(2);
            assertThat(x.err()).contains("not a regular file");
            assertThat(Files.isRegularFile(fifo)).isFalse();
        }
    }

    @Test
    void exportWritesOnceAndThenAsksForForce() throws Exception {
        Path out = dir.resolve("once.onnx");
        assertThat(CliTest.run("export", "--weights", checkpoint.toString(), "-o", out.toString(), "--no-check").code())
                .isZero();
        CliTest.Result again = CliTest.run("export", "--weights", checkpoint.toString(), "-o", out.toString());
        assertThat(again.code()).isEqualTo(2);
        assertThat(again.err()).contains("already exists").contains("--force");
    }

    @Test
    void aGpuOnTheCpuBuildIsOneUsageLineAndCreatesNothing() throws Exception {
        Path run = dir.resolve("gpu-run");
        Path data = io.resnet4j.data.CifarSample.extractTo(dir.resolve("sample"));
        CliTest.Result t = CliTest.run("train", "--data", data.toString(), "--output", run.toString(), "--device", "gpu",
                "--iterations", "1");
        assertThat(t.code()).isEqualTo(2);
        assertThat(t.err().lines().findFirst().orElseThrow()).startsWith("resnet4j: device gpu is not available: no CUDA");
        assertThat(t.err()).doesNotContain("aten::").doesNotContain("Exception");
        assertThat(Files.exists(run)).isFalse();
        CliTest.Result p = CliTest.run("predict", "--weights", checkpoint.toString(), "--device", "gpu", image.toString());
        assertThat(p.code()).isEqualTo(2);
        assertThat(p.err()).contains("no CUDA in this libtorch");
    }

    @Test
    void evalMapsFolderClassesToTheCheckpointsByName() throws Exception {
        Path root = dir.resolve("two-classes");
        for (String c : java.util.List.of("cat", "dog")) {
            Path folder = Files.createDirectories(root.resolve("val").resolve(c));
            var img = new java.awt.image.BufferedImage(32, 32, java.awt.image.BufferedImage.TYPE_INT_RGB);
            javax.imageio.ImageIO.write(img, "png", folder.resolve("a.png").toFile());
        }
        Files.createDirectories(root.resolve("train/cat"));
        CliTest.Result refused = CliTest.run("eval", "--weights", checkpoint.toString(), "--data", root.toString());
        assertThat(refused.code()).isEqualTo(2);
        assertThat(refused.err()).contains("[cat, dog] are not classes of the network")
                .contains("network classes: [class 0, class 1");
        CliTest.Result renamed = CliTest.run("eval", "--weights", checkpoint.toString(), "--data", root.toString(),
                "--class-map", "cat=class 3,dog=class 5", "--json");
        assertThat(renamed.code()).as(renamed.err()).isZero();
        assertThat(renamed.out()).contains("\"images\" : 2");
        CliTest.Result ordered = CliTest.run("eval", "--weights", checkpoint.toString(), "--data", root.toString(),
                "--class-map", "by-order");
        assertThat(ordered.code()).as(ordered.err()).isZero();
    }

    @Test
    void trainNeverWritesIntoAFolderOfSomeoneElsesFiles() throws Exception {
        Path mine = Files.createDirectories(dir.resolve("my-model"));
        Files.writeString(mine.resolve("model.safetensors"), "precious");
        Files.writeString(mine.resolve("metrics.csv"), "mine");
        Path data = io.resnet4j.data.CifarSample.extractTo(dir.resolve("sample-for-train"));
        CliTest.Result r = CliTest.run("train", "--data", data.toString(), "--output", mine.toString(), "--iterations", "1");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("is not empty and holds no resnet4j run");
        assertThat(Files.readString(mine.resolve("model.safetensors"))).isEqualTo("precious");
        assertThat(Files.readString(mine.resolve("metrics.csv"))).isEqualTo("mine");
        try (var files = Files.list(mine)) {
            assertThat(files.count()).isEqualTo(2);
        }
    }

    @Test
    void aRunFolderInUseRefusesASecondTraining() throws Exception {
        Path run = dir.resolve("busy-run");
        Path data = io.resnet4j.data.CifarSample.extractTo(dir.resolve("sample-for-lock"));
        try (var held = io.resnet4j.files.RunLock.acquire(run)) {
            CliTest.Result r = CliTest.run("train", "--data", data.toString(), "--output", run.toString(),
                    "--iterations", "1");
            assertThat(r.code()).isEqualTo(2);
            assertThat(r.err()).contains("is in use by another resnet4j process");
            assertThat(run.resolve("run.json")).doesNotExist();
        }
    }
}
