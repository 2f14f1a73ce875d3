package io.resnet4j.io;

import io.resnet4j.files.InputFiles;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON header
 * mapping each tensor name to dtype, shape and byte range (plus an optional string-to-string
 * {@code __metadata__}), then the raw little-endian data. Nothing in it is executable, which is
 * why resnet4j uses it for its own checkpoints.
 */
public final class SafeTensors {

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    /**
     * Refuse larger headers before allocating them. The reference implementation allows 100 MB;
     * resnet4j's own headers (names, shapes, class names, a CIFAR mean image) stay under 1 MB, and a
     * parsed header takes several times its size in memory.
     */
    static final long MAX_HEADER = 16L << 20;

    private SafeTensors() {}

    /** Tensors in file order and the file's metadata. The arrays belong to the manager given to {@link #read}. */
    public record Contents(Map<String, NDArray> tensors, Map<String, String> metadata) {}

    /**
     * One tensor as the header describes it.
     *
     * @param begin first byte of its data, relative to the data section
     * @param end one past its last byte
     */
    public record Entry(String name, DataType type, Shape shape, long begin, long end) {}

    /**
     * A validated header: every tensor's bytes lie in the file, and together they tile the data
     * section exactly (no overlaps, no gaps, nothing after), as the reference implementation requires.
     *
     * @param tensors entries in header order
     * @param dataStart file offset of the data section
     */
    public record Header(Map<String, Entry> tensors, Map<String, String> metadata, long dataStart) {}

    /**
     * Reads every tensor of a safetensors file into the manager (on its device).
     *
     * @throws WeightsFormatException naming the file and what is wrong with it
     */
    public static Contents read(Path file, NDManager manager) throws IOException {
        InputFiles.requireRegularFile(file, "a safetensors file");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Header header = readHeader(file, ch);
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            for (Entry e : header.tensors().values()) {
                // Tiling bounds every tensor by the file, so this allocates no more than the file holds.
                ByteBuffer data = ByteBuffer.allocateDirect((int) (e.end() - e.begin())).order(ByteOrder.LITTLE_ENDIAN);
                readFully(file, ch, data, header.dataStart() + e.begin());
                data.flip();
                NDArray array = manager.create(data, e.shape(), e.type());
                array.setName(e.name());
                tensors.put(e.name(), array);
            }
            return new Contents(tensors, header.metadata());
        }
    }

    /** Reads only the metadata, without touching the tensor data (the header is validated all the same). */
    public static Map<String, String> readMetadata(Path file) throws IOException {
        return readHeader(file).metadata();
    }

    /** Reads and validates the header: names, types, shapes and byte ranges, without any tensor data. */
    public static Header readHeader(Path file) throws IOException {
        InputFiles.requireRegularFile(file, "a safetensors file");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return readHeader(file, ch);
        }
    }

    private static Header readHeader(Path file, FileChannel ch) throws IOException {
        long size = ch.size();
        if (size < 8) {
            throw new WeightsFormatException(file + " is not a safetensors file: only " + size + " bytes");
        }
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(file, ch, lenBuf, 0);
        long headerLen = lenBuf.flip().getLong();
        if (headerLen <= 0 || headerLen > size - 8) {
            throw new WeightsFormatException(file + ": its safetensors header length " + headerLen
                    + " does not fit a file of " + size + " bytes (truncated file, or not a safetensors file)");
        }
        if (headerLen > MAX_HEADER) {
            throw new WeightsFormatException(file + ": its safetensors header is " + headerLen + " bytes; resnet4j"
                    + " reads headers up to " + MAX_HEADER + " bytes (a ResNet's header is well under 1 MB)");
        }
        ByteBuffer headerBuf = ByteBuffer.allocate((int) headerLen);
        readFully(file, ch, headerBuf, 8);
        JsonNode json = parseJson(file, headerBuf.array());
        long dataStart = 8 + headerLen;
        Map<String, String> metadata = metadata(file, json.get("__metadata__"));
        Map<String, Entry> tensors = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = json.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getKey().equals("__metadata__")) {
                tensors.put(e.getKey(), entry(file, e.getKey(), e.getValue()));
            }
        }
        checkTiling(file, tensors.values(), size - dataStart);
        return new Header(tensors, metadata, dataStart);
    }

    private static JsonNode parseJson(Path file, byte[] header) throws WeightsFormatException {
        JsonNode json;
        try {
            json = JSON.readTree(new String(header, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new WeightsFormatException(file + ": its safetensors header is not valid JSON ("
                    + JsonErrors.describe(e) + "); the file is corrupt or not a safetensors file");
        }
        if (json == null || !json.isObject()) {
            throw new WeightsFormatException(file + ": its safetensors header is not a JSON object");
        }
        return json;
    }

    private static Map<String, String> metadata(Path file, JsonNode meta) throws WeightsFormatException {
        Map<String, String> out = new LinkedHashMap<>();
        if (meta == null) {
            return out;
        }
        if (!meta.isObject()) {
            throw new WeightsFormatException(file + ": its safetensors __metadata__ is not a JSON object of strings");
        }
        meta.fields().forEachRemaining(m -> out.put(m.getKey(), m.getValue().asText()));
        return out;
    }

    private static Entry entry(Path file, String name, JsonNode info) throws WeightsFormatException {
        String where = file + ": tensor '" + name + "'";
        DataType type = dataType(file, name, info.path("dtype").asText());
        JsonNode shapeNode = info.path("shape");
        JsonNode offsets = info.path("data_offsets");
        if (!shapeNode.isArray() || !offsets.isArray() || offsets.size() != 2) {
            throw new WeightsFormatException(where + " needs a 'shape' array and 'data_offsets' [begin, end]");
        }
        long[] dims = new long[shapeNode.size()];
        long count = 1;
        long begin = nonNegative(where + " data_offsets", offsets.get(0));
        long end = nonNegative(where + " data_offsets", offsets.get(1));
        try {
            for (int i = 0; i < dims.length; i++) {
                dims[i] = nonNegative(where + " shape", shapeNode.get(i));
                count = Math.multiplyExact(count, dims[i]);
            }
            long bytes = Math.multiplyExact(count, (long) type.getNumOfBytes());
            if (end - begin != bytes || end < begin) {
                throw new WeightsFormatException(where + " " + new Shape(dims) + " " + type + " needs " + bytes
                        + " bytes but its data_offsets [" + begin + ", " + end + ") hold " + (end - begin)
                        + " (corrupt file)");
            }
        } catch (ArithmeticException e) {
            throw new WeightsFormatException(where + " has shape " + shapeNode + ", more elements than any file holds"
                    + " (corrupt file)");
        }
        if (end - begin > Integer.MAX_VALUE - 8) {
            throw new WeightsFormatException(where + " is " + (end - begin) + " bytes; resnet4j reads tensors up to 2 GB");
        }
        return new Entry(name, type, new Shape(dims), begin, end);
    }

    private static long nonNegative(String what, JsonNode n) throws WeightsFormatException {
        if (n == null || !n.isIntegralNumber() || !n.canConvertToLong() || n.asLong() < 0) {
            throw new WeightsFormatException(what + " holds " + n + " where a non-negative integer belongs");
        }
        return n.asLong();
    }

    /**
     * The reference implementation's rule: sorted by offset, each tensor starts where the previous
     * ends and the last ends with the file. Overlapping ranges would let a small file claim many
     * copies of the same bytes; gaps and trailing bytes mean the header and the data disagree.
     */
    private static void checkTiling(Path file, java.util.Collection<Entry> entries, long dataSize)
            throws WeightsFormatException {
        java.util.List<Entry> sorted = new java.util.ArrayList<>(entries);
        sorted.sort(java.util.Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long next = 0;
        Entry previous = null;
        for (Entry e : sorted) {
            if (e.begin() < next) {
                throw new WeightsFormatException(file + ": tensors '" + previous.name() + "' and '" + e.name()
                        + "' overlap (bytes " + e.begin() + " to " + Math.min(next, e.end()) + " of the data section);"
                        + " every tensor must have bytes of its own (corrupt or crafted file)");
            }
            if (e.begin() > next) {
                throw new WeightsFormatException(file + ": bytes " + next + " to " + e.begin() + " of the data section"
                        + " belong to no tensor (corrupt file)");
            }
            next = e.end();
            previous = e;
        }
        if (next != dataSize) {
            throw new WeightsFormatException(file + ": its tensors need a data section of " + next + " bytes but the"
                    + " file holds " + dataSize + " after the header ("
                    + (next > dataSize ? "truncated file" : "trailing bytes; corrupt file") + ")");
        }
    }

    /**
     * Writes tensors (in map order) and metadata. The file is written to a temporary sibling and
     * moved into place, so a failure never leaves a half-written checkpoint behind.
     */
    public static void write(Path file, Map<String, NDArray> tensors, Map<String, String> metadata) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        Map<String, byte[]> blobs = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            NDArray a = e.getValue();
            byte[] bytes = toBytes(a);
            ObjectNode info = header.putObject(e.getKey());
            info.put("dtype", dtypeName(a.getDataType()));
            var shape = info.putArray("shape");
            for (long d : a.getShape().getShape()) {
                shape.add(d);
            }
            info.putArray("data_offsets").add(offset).add(offset + bytes.length);
            offset += bytes.length;
            blobs.put(e.getKey(), bytes);
        }
        byte[] h = JSON.writeValueAsBytes(header);
        int padding = (8 - h.length % 8) % 8;
        // Temporary sibling then rename: a failure never leaves a half-written checkpoint behind.
        AtomicFiles.write(file, raw -> {
            OutputStream out = new java.io.BufferedOutputStream(raw, 1 << 20);
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length + padding);
            out.write(len.array());
            out.write(h);
            for (int i = 0; i < padding; i++) {
                out.write(' ');
            }
            for (byte[] b : blobs.values()) {
                out.write(b);
            }
            out.flush();
        });
    }

    private static byte[] toBytes(NDArray a) {
        ByteBuffer bb = a.toByteBuffer();
        // DJL hands out native-order buffers; safetensors is little-endian.
        bb.order(ByteOrder.nativeOrder());
        byte[] out = new byte[bb.remaining()];
        if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
            bb.get(out);
            return out;
        }
        throw new UnsupportedOperationException("big-endian platforms are not supported");
    }

    private static void readFully(Path file, FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new WeightsFormatException(file + " ends at byte " + pos + " (truncated file)");
            }
            pos += n;
        }
    }

    static DataType dataType(Path file, String tensor, String dtype) throws WeightsFormatException {
        switch (dtype) {
            case "F32": return DataType.FLOAT32;
            case "F64": return DataType.FLOAT64;
            case "F16": return DataType.FLOAT16;
            case "BF16": return DataType.BFLOAT16;
            case "I64": return DataType.INT64;
            case "I32": return DataType.INT32;
            case "I8": return DataType.INT8;
            case "U8": return DataType.UINT8;
            case "BOOL": return DataType.BOOLEAN;
            default:
                throw new WeightsFormatException(file + ": tensor '" + tensor + "' has dtype '" + dtype
                        + "', which resnet4j does not read (F32, F64, F16, BF16, I64, I32, I8, U8, BOOL)");
        }
    }

    static String dtypeName(DataType type) {
        switch (type) {
            case FLOAT32: return "F32";
            case FLOAT64: return "F64";
            case FLOAT16: return "F16";
            case BFLOAT16: return "BF16";
            case INT64: return "I64";
            case INT32: return "I32";
            case INT8: return "I8";
            case UINT8: return "U8";
            case BOOLEAN: return "BOOL";
            default: throw new IllegalArgumentException("cannot store " + type + " in safetensors");
        }
    }
}
