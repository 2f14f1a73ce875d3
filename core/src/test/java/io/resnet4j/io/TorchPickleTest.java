package io.resnet4j.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The restricted reader of torch.save zip files. Fixtures: tools/fixtures/make_weights_fixtures.py. */
class TorchPickleTest {

    static Path fixture(String name) throws Exception {
        return Path.of(TorchPickleTest.class.getResource("/weights/" + name).toURI());
    }

    @Test
    void viewsWithOffsetsAndStridesAndOtherDtypesReadAsPyTorchSeesThem() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> got = TorchPickle.readStateDict(fixture("views.pth"), m);
            Map<String, NDArray> want = SafeTensors.read(fixture("views_expected.safetensors"), m).tensors();
            assertThat(got.keySet()).containsExactly("whole", "rows", "transposed", "row", "half", "longs");
            for (String k : want.keySet()) {
                assertThat(got.get(k).getShape()).as(k).isEqualTo(want.get(k).getShape());
                assertThat(got.get(k).toType(DataType.FLOAT64, false).toDoubleArray()).as(k)
                        .containsExactly(want.get(k).toType(DataType.FLOAT64, false).toDoubleArray());
            }
            assertThat(got.get("rows").getShape()).isEqualTo(new Shape(3, 3));
            assertThat(got.get("rows").toFloatArray()).containsExactly(6, 8, 10, 12, 14, 16, 18, 20, 22);
            assertThat(got.get("transposed").toFloatArray()[1]).isEqualTo(6f); // base[1][0]
            assertThat(got.get("half").getDataType()).isEqualTo(DataType.FLOAT16);
            assertThat(got.get("longs").getDataType()).isEqualTo(DataType.INT64);
            assertThat(got.get("longs").toLongArray()).containsExactly(1L, -2L, 3L << 40);
        }
    }

    @Test
    void nestedStateDictWithModulePrefixIsFound() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> got = TorchPickle.readStateDict(fixture("resnet20_wrapped.pth"), m);
            assertThat(got).containsKey("module.conv1.weight").containsKey("module.bn1.num_batches_tracked");
            Map<String, NDArray> clean = StateDicts.normalise(got);
            assertThat(clean).containsKey("layer3.2.conv2.weight").doesNotContainKey("bn1.num_batches_tracked");
            assertThat(clean.get("fc.weight").getShape()).isEqualTo(new Shape(10, 64));
        }
    }

    /** A pickle that would call os.system("echo pwned") under Python's unpickler, in a torch.save-style zip. */
    static Path maliciousPth(Path dir) throws Exception {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.write(new byte[] {(byte) 0x80, 2});
        p.write("cos\nsystem\nq\u0000X".getBytes(StandardCharsets.ISO_8859_1));
        byte[] cmd = "echo pwned".getBytes(StandardCharsets.US_ASCII);
        p.write(new byte[] {(byte) cmd.length, 0, 0, 0});
        p.write(cmd);
        p.write(new byte[] {(byte) 0x85, 'R', '.'});
        Path file = dir.resolve("evil.pth");
        try (OutputStream fo = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(fo)) {
            zip.putNextEntry(new ZipEntry("evil/data.pkl"));
            zip.write(p.toByteArray());
            zip.closeEntry();
            zip.putNextEntry(new ZipEntry("evil/byteorder"));
            zip.write("little".getBytes(StandardCharsets.US_ASCII));
            zip.closeEntry();
        }
        return file;
    }

    @Test
    void refusesAPickleNamingAnyOtherGlobal(@TempDir Path dir) throws Exception {
        Path file = maliciousPth(dir);
        try (NDManager m = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> TorchPickle.readStateDict(file, m))
                    .isInstanceOf(WeightsFormatException.class)
                    .hasMessage("refusing to load evil.pth: its pickle names the global 'os.system', which a"
                            + " state_dict never needs; resnet4j does not execute code from weight files");
        }
    }

    @Test
    void safetensorsIsRecognisedWhateverTheFirstByteOfItsHeaderLength(@TempDir Path dir) throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            // Pad the metadata so the header is 0x180 bytes long: its first byte, 0x80, is also the pickle PROTO opcode.
            for (int pad = 0; pad < 64; pad++) {
                Path f = dir.resolve("t" + pad + ".safetensors");
                SafeTensors.write(f, Map.of("x", m.create(new float[] {1, 2})), Map.of("pad", "p".repeat(300 + pad)));
                byte[] head = Files.readAllBytes(f);
                if ((head[0] & 0xff) == 0x80) {
                    assertThat(WeightsLoader.isSafeTensors(f)).isTrue();
                    assertThat(WeightsLoader.readTensors(f, m).get("x").toFloatArray()).containsExactly(1, 2);
                    return;
                }
            }
            throw new AssertionError("no header length with first byte 0x80 was produced");
        }
    }

    @Test
    void legacyFormatReadsAsTheZipFormat() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> legacy = TorchPickle.readStateDict(fixture("views_legacy.pth"), m);
            Map<String, NDArray> zip = TorchPickle.readStateDict(fixture("views.pth"), m);
            assertThat(legacy.keySet()).containsExactlyElementsOf(zip.keySet());
            for (String k : zip.keySet()) {
                assertThat(legacy.get(k).getDataType()).as(k).isEqualTo(zip.get(k).getDataType());
                assertThat(legacy.get(k).getShape()).as(k).isEqualTo(zip.get(k).getShape());
                assertThat(legacy.get(k).toType(DataType.FLOAT64, false).toDoubleArray()).as(k)
                        .containsExactly(zip.get(k).toType(DataType.FLOAT64, false).toDoubleArray());
            }
        }
    }

    @Test
    void truncatedLegacyAndOtherFilesGetAClearError(@TempDir Path dir) throws Exception {
        Path magicOnly = dir.resolve("old.pth");
        Files.write(magicOnly, new byte[] {(byte) 0x80, 2, (byte) 0x8a, 10, 0x6c, (byte) 0xfc});
        byte[] whole = Files.readAllBytes(fixture("views_legacy.pth"));
        Path cut = dir.resolve("cut.pth");
        Files.write(cut, java.util.Arrays.copyOf(whole, whole.length - 10));
        Path text = dir.resolve("notes.pth");
        Files.writeString(text, "hello world");
        try (NDManager m = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> TorchPickle.readStateDict(magicOnly, m)).hasMessageContaining("not like a torch.save file");
            assertThatThrownBy(() -> TorchPickle.readStateDict(cut, m)).hasMessageContaining("truncated");
            assertThatThrownBy(() -> TorchPickle.readStateDict(text, m))
                    .hasMessageContaining("neither a zip archive nor the legacy pickle format");
        }
    }
}
