package io.resnet4j.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Atomic writes: no half-written target, no leftovers from killed writers, failures that name the target. */
class AtomicFilesTest {

    static java.util.List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aFailedWriteNamesTheTargetAndLeavesItAsItWas(@TempDir Path dir) throws Exception {
        Path target = dir.resolve("model.safetensors");
        Files.writeString(target, "previous");
        assertThatThrownBy(() -> AtomicFiles.write(target, out -> {
            out.write(new byte[1000]);
            throw new IOException("No space left on device");
        })).hasMessage("could not write " + target + " (No space left on device); the file was left as it was");
        assertThat(Files.readString(target)).isEqualTo("previous");
        assertThat(names(dir)).containsExactly("model.safetensors");
    }

    @Test
    void temporariesLeftByAKilledWriterAreRemovedByTheNextWriteOfTheSameTarget(@TempDir Path dir) throws Exception {
        Path target = dir.resolve("metrics.csv");
        Files.writeString(dir.resolve(".metrics.csv.123456789.tmp"), "half a file from a kill -9");
        Files.writeString(dir.resolve(".metrics.csv.old.123.tmp"), "another target's");
        Path live = dir.resolve(".metrics.csv.42.tmp");
        Files.writeString(live, "being written by a live writer");
        try (FileChannel ch = FileChannel.open(live, StandardOpenOption.WRITE); FileLock lock = ch.lock()) {
            AtomicFiles.write(target, "a,b\n".getBytes());
        }
        assertThat(names(dir)).containsExactly(".metrics.csv.42.tmp", ".metrics.csv.old.123.tmp", "metrics.csv");
        assertThat(Files.readString(target)).isEqualTo("a,b\n");
    }

    @Test
    void largeContentIsWrittenWhole(@TempDir Path dir) throws Exception {
        byte[] big = new byte[3 << 20];
        new java.util.Random(1).nextBytes(big);
        Path target = dir.resolve("big.bin");
        AtomicFiles.write(target, out -> {
            out.write(big, 0, 1 << 20);
            out.write(big, 1 << 20, big.length - (1 << 20));
            out.close(); // a writer closing its stream must not end the write early
        });
        assertThat(Files.readAllBytes(target)).isEqualTo(big);
    }
}
