package io.resnet4j.io;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Any bytes as a safetensors file: the reader either returns tensors or throws its own
 * {@link WeightsFormatException} with one line naming the file. Anything else (another exception,
 * an error, a hang, memory beyond the file's size) is a finding. Seeds: SafeTensorsFuzzTestInputs/
 * (written by {@code FuzzSeeds}); {@code mvn test -Pfuzz -Dtest=SafeTensorsFuzzTest} fuzzes.
 */
class SafeTensorsFuzzTest {

    static NDManager manager;
    static Path file;

    @BeforeAll
    static void open() throws Exception {
        manager = NDManager.newBaseManager();
        file = Files.createTempFile("fuzz", ".safetensors");
    }

    @AfterAll
    static void close() throws Exception {
        manager.close();
        Files.deleteIfExists(file);
    }

    @FuzzTest(maxDuration = "60s")
    void safetensors(byte[] data) throws Exception {
        Files.write(file, data);
        try (NDManager scratch = manager.newSubManager()) {
            SafeTensors.Contents c = SafeTensors.read(file, scratch);
            long bytes = c.tensors().values().stream().mapToLong(a -> a.getShape().size() * a.getDataType().getNumOfBytes()).sum();
            assertThat(bytes).isLessThanOrEqualTo(data.length);
        } catch (WeightsFormatException e) {
            FuzzChecks.oneLineNaming(e, file);
        }
    }
}
