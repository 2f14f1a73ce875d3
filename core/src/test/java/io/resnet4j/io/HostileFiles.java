package io.resnet4j.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.CRC32;

/**
 * Crafted weight files, made by the tests that use them (nothing binary is committed): each is a
 * small file that an unguarded reader turns into gigabytes, an endless recursion or a hang. Sizes
 * are parameters, so unit tests use small ones and the child-JVM test the ones from the report.
 */
public final class HostileFiles {

    private static final ObjectMapper JSON = new ObjectMapper();

    private HostileFiles() {}

    // ---------------------------------------------------------------- safetensors

    /** A safetensors file from a raw header and data section, with no validation at all. */
    public static Path safetensors(Path file, String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(len.array());
        out.write(h);
        out.write(data);
        Files.write(file, out.toByteArray());
        return file;
    }

    /** {@code entries} tensors whose data_offsets all name the same {@code bytes} bytes of data. */
    public static Path overlappingSafetensors(Path file, int entries, int bytes) throws IOException {
        StringBuilder h = new StringBuilder("{");
        for (int i = 0; i < entries; i++) {
            h.append(i == 0 ? "" : ",").append("\"t").append(i).append("\":{\"dtype\":\"F32\",\"shape\":[")
                    .append(bytes / 4).append("],\"data_offsets\":[0,").append(bytes / 4 * 4).append("]}");
        }
        return safetensors(file, h.append('}').toString(), new byte[bytes / 4 * 4]);
    }

    /** A copy of a resnet4j checkpoint with its metadata changed (the tensors are kept byte for byte). */
    public static Path editedCheckpoint(Path source, Path file, Consumer<ObjectNode> edit) throws IOException {
        byte[] all = Files.readAllBytes(source);
        long headerLen = ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        ObjectNode header = (ObjectNode) JSON.readTree(new String(all, 8, (int) headerLen, StandardCharsets.UTF_8));
        edit.accept((ObjectNode) header.get("__metadata__"));
        byte[] data = Arrays.copyOfRange(all, 8 + (int) headerLen, all.length);
        return safetensors(file, JSON.writeValueAsString(header), data);
    }

    /** The checkpoint of the report: resnet20's 1.1 MB of weights, its spec claiming blocks [3, 3, 100000]. */
    public static Path hugeSpecCheckpoint(Path file) throws Exception {
        return editedCheckpoint(legacyResnet20(), file, meta -> meta.put("spec",
                meta.get("spec").asText().replace("\"blocks\":[3,3,3]", "\"blocks\":[3,3,100000]")));
    }

    /** The resnet20 checkpoint written by an earlier version (a test resource). */
    public static Path legacyResnet20() throws Exception {
        return Path.of(HostileFiles.class.getResource("/checkpoints/v1-resnet20.safetensors").toURI());
    }

    // ---------------------------------------------------------------- pickles

    /** Protocol-2 pickle opcodes for building crafted state_dicts. */
    public static final class Pickle {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        public Pickle() {
            raw(0x80, 2);
        }

        public Pickle raw(int... bytes) {
            for (int b : bytes) {
                out.write(b);
            }
            return this;
        }

        public Pickle string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            raw('X').int4(b.length);
            out.writeBytes(b);
            return this;
        }

        public Pickle global(String module, String name) {
            raw('c');
            out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
            return this;
        }

        /** An integer: 'J' for 32 bits, LONG1 with 8 bytes above. */
        public Pickle integer(long v) {
            if (v == (int) v) {
                return raw('J').int4((int) v);
            }
            raw(0x8a, 8);
            out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
            return this;
        }

        public Pickle int4(int v) {
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
            return this;
        }

        public Pickle tuple(long... values) {
            raw('(');
            for (long v : values) {
                integer(v);
            }
            return raw('t');
        }

        /** {@code key: _rebuild_tensor_v2(storage(key, numel), offset, size, stride, False, {})} onto the dict on top. */
        public Pickle tensor(String key, String storageKey, long numel, long offset, long[] size, long[] stride) {
            string(key);
            global("torch._utils", "_rebuild_tensor_v2");
            raw('(');
            raw('(').string("storage").global("torch", "FloatStorage").string(storageKey).string("cpu").integer(numel)
                    .raw('t', 'Q');
            integer(offset).tuple(size).tuple(stride).raw(0x89, '}');
            return raw('t', 'R', 's');
        }

        public byte[] stop() {
            raw('.');
            return out.toByteArray();
        }
    }

    /** A torch.save-style zip: {@code archive/data.pkl}, {@code archive/byteorder} and the given storages. */
    public static Path pth(Path file, byte[] pickle, List<CraftedZip.Item> storages) throws IOException {
        CraftedZip zip = new CraftedZip().stored("archive/data.pkl", pickle)
                .stored("archive/byteorder", "little".getBytes(StandardCharsets.US_ASCII));
        storages.forEach(zip::add);
        return zip.write(file);
    }

    /** The report's 999-byte file: one float viewed with stride 0 as {@code elements} floats (536,870,909: 2.15 GB). */
    public static Path strideZeroPth(Path file, long elements) throws IOException {
        byte[] pickle = new Pickle().raw('}').tensor("weight", "0", 1, 0, new long[] {elements}, new long[] {0}).stop();
        return pth(file, pickle, List.of(CraftedZip.Item.stored("archive/data/0", new byte[4])));
    }

    /** {@code storages} deflated all-zero storages of {@code bytesEach} bytes (about 1,000 to 1 each). */
    public static Path deflatedStoragesPth(Path file, int storages, int bytesEach) throws IOException {
        Pickle p = new Pickle().raw('}');
        List<CraftedZip.Item> items = new ArrayList<>();
        byte[] zeros = CraftedZip.repeatedDeflate((byte) 0, bytesEach, 1);
        for (int i = 0; i < storages; i++) {
            p.tensor("t" + i, String.valueOf(i), bytesEach / 4, 0, new long[] {bytesEach / 4}, new long[] {1});
            items.add(CraftedZip.Item.deflated("archive/data/" + i, zeros, bytesEach));
        }
        return pth(file, p.stop(), items);
    }

    /**
     * A data.pkl whose zip directory declares 100 bytes but which inflates to {@code chunks} x 16 MB of
     * 'N' (push None) opcodes: the report's 1 MB file that became 2.7 GB.
     */
    public static Path inflatingPicklePth(Path file, int chunks) throws IOException {
        byte[] deflated = CraftedZip.repeatedDeflate((byte) 'N', 16 << 20, chunks);
        return new CraftedZip().add(CraftedZip.Item.deflated("archive/data.pkl", deflated, 100)).write(file);
    }

    /** The report's 133-byte file: a BINUNICODE opcode declaring a 2 GB string that is not there. */
    public static Path hugeStringPth(Path file) throws IOException {
        byte[] pickle = new Pickle().raw('X').int4(0x7ffffff0).stop();
        return pth(file, pickle, List.of());
    }

    /** A list appended to itself, then used as a dict key: hashing it recurses forever. */
    public static Path selfReferentialKeyPth(Path file) throws IOException {
        byte[] pickle = new Pickle().raw('}', ']', 'q', 0, 'h', 0, 'a', 'N', 's').stop();
        return pth(file, pickle, List.of());
    }

    /** A dict holding itself under 'state_dict': following the wrapper recurses forever. */
    public static Path selfReferentialDictPth(Path file) throws IOException {
        byte[] pickle = new Pickle().raw('}', 'q', 0).string("state_dict").raw('h', 0, 's').stop();
        return pth(file, pickle, List.of());
    }

    /** {@code entries} zip entries whose directory records all point at the same stored storage bytes. */
    public static Path overlappingStoragesPth(Path file, int entries, int bytes) throws IOException {
        Pickle p = new Pickle().raw('}');
        CraftedZip zip = new CraftedZip();
        zip.add(CraftedZip.Item.stored("archive/data/0", new byte[bytes]));
        for (int i = 0; i < entries; i++) {
            p.tensor("t" + i, String.valueOf(i), bytes / 4, 0, new long[] {bytes / 4}, new long[] {1});
            if (i > 0) {
                zip.alias("archive/data/" + i, "archive/data/0");
            }
        }
        zip.stored("archive/data.pkl", p.stop());
        return zip.write(file);
    }

    // ---------------------------------------------------------------- images

    /**
     * A PNG whose header says width x height but which holds a few bytes of image data: a reader that
     * allocates before it decodes asks for width x height x 4 bytes.
     */
    public static Path hugePng(Path file, int width, int height) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) 8).put((byte) 2)
                .put((byte) 0).put((byte) 0).put((byte) 0);
        chunk(out, "IHDR", ihdr.array());
        chunk(out, "IDAT", CraftedZip.zlib(new byte[1 + 3 * Math.min(width, 1024)]));
        chunk(out, "IEND", new byte[0]);
        Files.write(file, out.toByteArray());
        return file;
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        out.writeBytes(t);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    // ---------------------------------------------------------------- special files

    /** A named pipe (opening it for reading blocks until a writer comes), or the test is skipped without mkfifo. */
    public static Path mkfifo(Path path) throws Exception {
        Process p;
        try {
            p = new ProcessBuilder("mkfifo", path.toString()).inheritIO().start();
        } catch (IOException e) {
            org.junit.jupiter.api.Assumptions.abort("mkfifo is not available: " + e.getMessage());
            return path;
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(p.waitFor() == 0, "mkfifo failed");
        return path;
    }
}
