package io.resnet4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.resnet4j.io.HostileFiles;
import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report's hostile files at the report's sizes, each of which made an unguarded resnet4j
 * allocate gigabytes (or recurse without end), loaded by the real commands in a child JVM with a
 * 512 MB heap: each must end within the time bound with its one-line error, and the JVM must
 * survive them all. Tagged slow (about 6 s: a JVM start and three engines' worth of loading);
 * {@code HostileWeightsTest} and {@code HostileInputCliTest} check the same refusals in-process.
 */
@Tag("slow")
class BoundedMemoryTest {

    /** Against hangs, not a speed test: each command here takes well under a second. */
    static final long BOUND_SECONDS = 120;

    @Test
    void everyHostileFileEndsWithItsOneLineErrorInA512MbJvm(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out.safetensors");
        List<String[]> cases = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        convert(cases, expected, HostileFiles.hugeSpecCheckpoint(dir.resolve("deep.safetensors")), out,
                "exceed resnet4j's limits");
        convert(cases, expected, HostileFiles.overlappingSafetensors(dir.resolve("overlap.safetensors"), 4000, 1 << 20),
                out, "overlap");
        convert(cases, expected, HostileFiles.strideZeroPth(dir.resolve("expand.pth"), 536_870_909L), out,
                "a stride-0 view");
        convert(cases, expected, HostileFiles.deflatedStoragesPth(dir.resolve("bomb.pth"), 90, 64 << 20), out,
                "a decompression bomb");
        convert(cases, expected, HostileFiles.inflatingPicklePth(dir.resolve("pkl.pth"), 170), out,
                "its data.pkl inflates to more than");
        convert(cases, expected, HostileFiles.hugeStringPth(dir.resolve("x.pth")), out, "a string of 2147483632 bytes");
        convert(cases, expected, HostileFiles.selfReferentialKeyPth(dir.resolve("key.pth")), out, "a dict key");
        convert(cases, expected, HostileFiles.selfReferentialDictPth(dir.resolve("dict.pth")), out, "nests dicts");
        Path good = dir.resolve("good.png");
        ImageIO.write(new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB), "png", good.toFile());
        Path huge = HostileFiles.hugePng(dir.resolve("huge.png"), 30_000, 30_000);
        // Under a raised limit, an image too large for this heap: out of memory for it alone, the next one is classified.
        Path oom = HostileFiles.hugePng(dir.resolve("oom.png"), 14_142, 14_142);
        cases.add(new String[] {"predict", "--weights", HostileFiles.legacyResnet20().toString(), "--engine", "pytorch",
                "--max-pixels", "200000000", huge.toString(), oom.toString(), good.toString()});
        expected.add("900,000,000 pixels");

        List<String> lines = runChild(cases);
        List<String> results = lines.stream().filter(l -> l.startsWith("RESULT ")).toList();
        assertThat(results).as(String.join("\n", lines)).hasSize(cases.size());
        for (int i = 0; i < cases.size(); i++) {
            String r = results.get(i);
            assertThat(r).as(r).startsWith("RESULT exit=1 ").contains(expected.get(i));
            assertThat(r).doesNotContain("Exception in").doesNotContain("\tat ");
        }
        String predict = results.get(results.size() - 1);
        assertThat(predict).contains("skipping " + oom + ": " + oom + ": out of memory decoding it")
                .contains("out=" + good + "|").contains("2 of 3 inputs could not be read");
        assertThat(out).doesNotExist();
        System.out.println(String.join("\n", lines)); // the measured times and peaks, for the record
    }

    private static void convert(List<String[]> cases, List<String> expected, Path file, Path out, String message) {
        cases.add(new String[] {"convert", file.toString(), out.toString()});
        expected.add(message);
    }

    private static List<String> runChild(List<String[]> cases) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m", "-Xss1m",
                "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"),
                HostileLoadMain.class.getName()));
        for (int i = 0; i < cases.size(); i++) {
            if (i > 0) {
                command.add("--");
            }
            command.addAll(List.of(cases.get(i)));
        }
        File log = File.createTempFile("hostile", ".log");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
            if (!p.waitFor(BOUND_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("the child JVM did not finish in " + BOUND_SECONDS + " s: "
                        + Files.readString(log.toPath(), StandardCharsets.UTF_8));
            }
            List<String> lines = Files.readAllLines(log.toPath(), StandardCharsets.UTF_8);
            assertThat(p.exitValue()).as(String.join("\n", lines)).isZero();
            return lines;
        } finally {
            Files.deleteIfExists(log.toPath());
        }
    }
}
