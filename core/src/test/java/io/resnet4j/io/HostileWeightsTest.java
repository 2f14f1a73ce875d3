package io.resnet4j.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.List;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Weight files crafted to amplify: each must be refused with one line naming the file, before the
 * reader allocates more than the file could hold. The same files at the report's sizes run in a
 * 512 MB child JVM in {@code BoundedMemoryTest}.
 */
class HostileWeightsTest {

    static NDManager manager;

    @BeforeAll
    static void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    static AbstractThrowableAssert<?, ? extends Throwable> refused(Path file) {
        return assertThatThrownBy(() -> WeightsLoader.readTensors(file, manager))
                .isInstanceOf(WeightsFormatException.class)
                .hasMessageStartingWith(file.toString())
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void safetensorsOffsetsThatOverlapAreRefused(@TempDir Path dir) throws Exception {
        refused(HostileFiles.overlappingSafetensors(dir.resolve("overlap.safetensors"), 40, 4096))
                .hasMessageContaining("tensors 't0' and 't1' overlap");
    }

    @Test
    void safetensorsOffsetsMustTileTheDataSection(@TempDir Path dir) throws Exception {
        String gap = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}";
        refused(HostileFiles.safetensors(dir.resolve("gap.safetensors"), gap, new byte[8]))
                .hasMessageContaining("bytes 0 to 4 of the data section belong to no tensor");
        String one = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        refused(HostileFiles.safetensors(dir.resolve("trailing.safetensors"), one, new byte[12]))
                .hasMessageContaining("need a data section of 4 bytes but the file holds 12");
        refused(HostileFiles.safetensors(dir.resolve("short.safetensors"), one, new byte[2]))
                .hasMessageContaining("truncated file");
    }

    @Test
    void aSafetensorsHeaderLongerThanTheFileIsReportedAsSuch(@TempDir Path dir) throws Exception {
        Path file = HostileFiles.safetensors(dir.resolve("cut.safetensors"), "{\"a\":{}}", new byte[0]);
        java.nio.file.Files.write(file, java.util.Arrays.copyOf(java.nio.file.Files.readAllBytes(file), 12));
        refused(file).hasMessageContaining("header length 8 does not fit a file of 12 bytes (truncated file")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("zip"));
    }

    @Test
    void aSafetensorsHeaderThatIsNotJsonIsOneLineNamingTheFile(@TempDir Path dir) throws Exception {
        refused(HostileFiles.safetensors(dir.resolve("bad.safetensors"), "{\"a\": [1, 2,, }", new byte[0]))
                .hasMessageContaining("header is not valid JSON")
                .hasMessageContaining("at line 1, column")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("Source"));
        assertThatThrownBy(() -> SafeTensors.readMetadata(dir.resolve("bad.safetensors")))
                .hasMessageContaining("header is not valid JSON");
    }

    @Test
    void shapesWhoseSizeOverflowsAreRefused(@TempDir Path dir) throws Exception {
        String h = "{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,0]}}";
        refused(HostileFiles.safetensors(dir.resolve("big.safetensors"), h, new byte[0]))
                .hasMessageContaining("more elements than any file holds");
        String negative = "{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,0]}}";
        refused(HostileFiles.safetensors(dir.resolve("neg.safetensors"), negative, new byte[0]))
                .hasMessageContaining("holds -1 where a non-negative integer belongs");
    }

    @Test
    void aStrideZeroViewLargerThanItsStorageIsRefused(@TempDir Path dir) throws Exception {
        refused(HostileFiles.strideZeroPth(dir.resolve("expand.pth"), 536_870_909L))
                .hasMessageContaining("has 536870909 elements but its storage holds 1 (a stride-0 view");
    }

    @Test
    void deflatedStoragesMayInflateOnlyBoundedly(@TempDir Path dir) throws Exception {
        refused(HostileFiles.deflatedStoragesPth(dir.resolve("bomb.pth"), 4, 32 << 20))
                .hasMessageContaining("even at 10x compression (a decompression bomb)");
    }

    @Test
    void storagesSharingOneZipEntrysBytesAreRefused(@TempDir Path dir) throws Exception {
        refused(HostileFiles.overlappingStoragesPth(dir.resolve("shared.pth"), 50, 64 << 10))
                .hasMessageContaining("overlapping zip entries");
    }

    @Test
    void thePickleIsLimitedByTheBytesItInflatesToNotByTheDeclaredSize(@TempDir Path dir) throws Exception {
        refused(HostileFiles.inflatingPicklePth(dir.resolve("pkl.pth"), 2))
                .hasMessageContaining("its data.pkl inflates to more than 16777216 bytes (the zip directory says 100)");
    }

    @Test
    void aStringLongerThanThePickleIsRefusedBeforeItIsAllocated(@TempDir Path dir) throws Exception {
        refused(HostileFiles.hugeStringPth(dir.resolve("x.pth")))
                .hasMessageContaining("a string of 2147483632 bytes where 1 remain");
    }

    @Test
    void selfReferentialPicklesEndWithAnErrorNotAStackOverflow(@TempDir Path dir) throws Exception {
        refused(HostileFiles.selfReferentialKeyPth(dir.resolve("key.pth")))
                .hasMessageContaining("a dict key that is a ArrayList");
        refused(HostileFiles.selfReferentialDictPth(dir.resolve("dict.pth")))
                .hasMessageContaining("nests dicts more than 8 deep");
    }

    @Test
    void craftedStateDictsThatAreHonestStillLoad(@TempDir Path dir) throws Exception {
        byte[] pickle = new HostileFiles.Pickle().raw('}')
                .tensor("w", "0", 6, 1, new long[] {2, 2}, new long[] {1, 2}).stop();
        byte[] storage = new byte[24];
        java.nio.ByteBuffer.wrap(storage).order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer()
                .put(new float[] {0, 1, 2, 3, 4, 5});
        Path file = HostileFiles.pth(dir.resolve("ok.pth"), pickle,
                List.of(CraftedZip.Item.stored("archive/data/0", storage)));
        // offset 1, size (2, 2), stride (1, 2): [[1, 3], [2, 4]]
        assertThat(WeightsLoader.readTensors(file, manager).get("w").toFloatArray()).containsExactly(1, 3, 2, 4);
    }
}
