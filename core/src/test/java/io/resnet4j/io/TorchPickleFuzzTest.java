package io.resnet4j.io;

import ai.djl.ndarray.NDManager;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Any bytes through the .pth reader: the first byte picks the target, even for the pickle alone
 * (placed as data.pkl in an archive with one 64-byte storage, so the fuzzer reaches the unpickler
 * and the views without having to build a zip), odd for the whole file (the zip handling). Only
 * {@link WeightsFormatException} with one line naming the file is allowed.
 */
class TorchPickleFuzzTest {

    static NDManager manager;
    static Path file;

    @BeforeAll
    static void open() throws Exception {
        manager = NDManager.newBaseManager();
        file = Files.createTempFile("fuzz", ".pth");
    }

    @AfterAll
    static void close() throws Exception {
        manager.close();
        Files.deleteIfExists(file);
    }

    @FuzzTest(maxDuration = "60s")
    void pth(byte[] data) throws Exception {
        if (data.length == 0) {
            return;
        }
        byte[] rest = Arrays.copyOfRange(data, 1, data.length);
        if ((data[0] & 1) == 0) {
            HostileFiles.pth(file, rest, List.of(CraftedZip.Item.stored("archive/data/0", new byte[64])));
        } else {
            Files.write(file, rest);
        }
        try (NDManager scratch = manager.newSubManager()) {
            TorchPickle.readStateDict(file, scratch);
        } catch (WeightsFormatException e) {
            FuzzChecks.oneLineNaming(e, file);
        }
    }
}
