package io.resnet4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.resnet4j.io.HostileFiles;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The command line on hostile inputs: every failure is one line naming the file, bad images are
 * skipped without costing the good ones their results, and nothing hangs (each run is time-bound).
 */
class HostileInputCliTest {

    static final Duration BOUND = Duration.ofSeconds(60);

    @TempDir
    static Path dir;
    static Path weights;
    static Path good;

    @BeforeAll
    static void files() throws Exception {
        weights = HostileFiles.legacyResnet20();
        BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
        for (int p = 0; p < 32 * 32; p++) {
            img.setRGB(p % 32, p / 32, p * 2654435761L > 0 ? 0x3080c0 : 0xc08030);
        }
        good = dir.resolve("good.png");
        ImageIO.write(img, "png", good.toFile());
    }

    static CliTest.Result run(String... args) {
        return assertTimeoutPreemptively(BOUND, () -> CliTest.run(args));
    }

    /** stderr's error line: exactly one line (plus the --verbose hint), naming what is at fault. */
    static String errorLine(CliTest.Result r) {
        String[] lines = r.err().split("\n");
        assertThat(lines[0]).startsWith("resnet4j: error: ");
        assertThat(lines).hasSizeLessThanOrEqualTo(2);
        return lines[0];
    }

    @Test
    void predictSkipsOversizedAndBrokenImagesAndClassifiesTheRest(@TempDir Path tmp) throws Exception {
        Path huge = HostileFiles.hugePng(tmp.resolve("huge.png"), 20_000, 20_000);
        Path fifo = HostileFiles.mkfifo(tmp.resolve("pipe.png"));
        byte[] jpeg = Files.readAllBytes(good);
        Path broken = Files.write(tmp.resolve("broken.png"), Arrays.copyOf(jpeg, 60));
        CliTest.Result r = run("predict", "--weights", weights.toString(), "--engine", "pytorch", huge.toString(),
                fifo.toString(), broken.toString(), good.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).contains(good.toString()).doesNotContain(huge.toString()).doesNotContain("NaN");
        assertThat(r.err()).contains("resnet4j: skipping " + huge + ": " + huge + " is 20000x20000 = 400,000,000 pixels")
                .contains("resnet4j: skipping " + fifo + ": not a regular file (a FIFO, socket or device)")
                .contains("resnet4j: skipping " + broken + ": " + broken + " is not a readable image")
                .contains("3 of 4 inputs could not be read");
        CliTest.Result allowed = run("predict", "--weights", weights.toString(), "--engine", "pytorch",
                "--max-pixels", "1024", good.toString());
        assertThat(allowed.code()).isZero();
        CliTest.Result refused = run("predict", "--weights", weights.toString(), "--max-pixels", "1023", good.toString());
        assertThat(refused.err()).contains("32x32 = 1,024 pixels, more than the limit of 1,023");
    }

    @Test
    void overflowingSizesAreUsageErrors(@TempDir Path tmp) throws Exception {
        Files.createDirectories(tmp.resolve("train/a"));
        Files.copy(good, Files.createDirectories(tmp.resolve("val/a")).resolve("good.png"));
        CliTest.Result scales = run("eval", "--weights", weights.toString(), "--data", tmp.toString(), "--protocol",
                "multi-scale", "--scales", "224,99999999");
        assertThat(scales.code()).isEqualTo(2);
        assertThat(scales.err()).contains("--scales must be between 1 and 4096, got 99999999");
        CliTest.Result crop = run("predict", "--weights", weights.toString(), "--crop", "100000", good.toString());
        assertThat(crop.code()).isEqualTo(2);
        assertThat(crop.err()).contains("--crop must be between 1 and 4096, got 100000");
        CliTest.Result pixels = run("features", "--weights", weights.toString(), "--max-pixels", "0", good.toString());
        assertThat(pixels.code()).isEqualTo(2);
        assertThat(pixels.err()).contains("--max-pixels must be between 1 and 536870911, got 0");
        CliTest.Result resize = run("predict", "--weights", weights.toString(), "--resize", "99999999999", good.toString());
        assertThat(resize.code()).isEqualTo(2);
    }

    @Test
    void controlCharactersInClassNamesNeverReachTheTerminal(@TempDir Path tmp) throws Exception {
        String evil = "\u001b[2J\u001b[31mcat\nclass 9  1.0000 forged\u202e";
        Path ckpt = HostileFiles.editedCheckpoint(weights, tmp.resolve("names.safetensors"), meta -> meta.put(
                "class_names", new com.fasterxml.jackson.databind.ObjectMapper().createArrayNode()
                        .add(evil).add(evil).add(evil).add(evil).add(evil).add(evil).add(evil).add(evil).add(evil)
                        .add(evil).toString()));
        CliTest.Result r = run("predict", "--weights", ckpt.toString(), "--engine", "pytorch", "--top", "1",
                good.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).doesNotContain("\u001b").doesNotContain("\u202e")
                .contains("?[2J?[31mcat?class 9  1.0000 forged?");
        assertThat(r.out().lines().count()).isEqualTo(2);
        CliTest.Result json = run("predict", "--weights", ckpt.toString(), "--engine", "pytorch", "--json", good.toString());
        assertThat(json.out()).contains("\\u001B[2J"); // JSON keeps the name, escaped
    }

    @Test
    void aZeroStdFailsOnceAtLoadNamingTheCheckpoint(@TempDir Path tmp) throws Exception {
        Path ckpt = HostileFiles.editedCheckpoint(weights, tmp.resolve("std0.safetensors"), meta -> meta.put(
                "preprocessing", meta.get("preprocessing").asText().replace("0.2509804,0.2509804,0.2509804", "0,0,0")));
        CliTest.Result r = run("predict", "--weights", ckpt.toString(), good.toString(), good.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(errorLine(r)).contains(ckpt.toString()).contains("must be positive and finite");
    }

    @Test
    void hostileWeightsFailInOneLineAndConvertWritesNothing(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("out.safetensors");
        for (Path bad : new Path[] {
                HostileFiles.overlappingSafetensors(tmp.resolve("overlap.safetensors"), 100, 4096),
                HostileFiles.strideZeroPth(tmp.resolve("expand.pth"), 536_870_909L),
                HostileFiles.selfReferentialKeyPth(tmp.resolve("self.pth")),
                HostileFiles.hugeSpecCheckpoint(tmp.resolve("deep.safetensors")),
                HostileFiles.mkfifo(tmp.resolve("fifo.pth"))}) {
            CliTest.Result r = run("convert", bad.toString(), out.toString());
            assertThat(r.code()).as(bad.toString()).isEqualTo(1);
            assertThat(errorLine(r)).contains(bad.toString());
            assertThat(out).doesNotExist();
            try (var files = Files.list(tmp)) {
                assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".out"));
            }
        }
    }

    @Test
    void aCorruptRunJsonIsOneLineNamingIt(@TempDir Path tmp) throws Exception {
        Path runJson = Files.writeString(tmp.resolve("run.json"), "{\"model\": \"resnet20\", \"status\": ");
        CliTest.Result r = run("train", "--resume", tmp.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(errorLine(r)).contains(runJson + " is not valid JSON (Unexpected end-of-input")
                .contains("at line 1, column");
    }

    @Command(name = "fail")
    static final class Failing implements Callable<Integer> {
        final Error error;

        Failing(Error error) {
            this.error = error;
        }

        @Override
        public Integer call() {
            throw error;
        }
    }

    @Test
    void outOfMemoryAndStackOverflowAreOneLineWithTheFix() {
        for (Error e : new Error[] {new OutOfMemoryError("Java heap space"), new StackOverflowError()}) {
            CommandLine cl = Main.configure(new CommandLine(new Failing(e)));
            java.io.StringWriter err = new java.io.StringWriter();
            cl.setErr(new java.io.PrintWriter(err));
            assertThat(cl.execute()).isEqualTo(1);
            String line = err.toString().lines().findFirst().orElseThrow();
            assertThat(line).startsWith("resnet4j: error: ").contains("RESNET4J_JAVA_OPTS=-X");
        }
    }

    @Test
    void messagesThatAreOnlyAValueSayWhatKindOfFailureTheyAre() {
        assertThat(Main.describe(new NegativeArraySizeException("-16")))
                .isEqualTo("NegativeArraySizeException: -16 (an internal error; --verbose shows where)");
        assertThat(Main.describe(new NumberFormatException("For input string: \"abc\"")))
                .isEqualTo("not a number: \"abc\"");
        assertThat(Main.describe(new java.io.IOException("x.pth is not a zip"))).isEqualTo("x.pth is not a zip");
    }
}
