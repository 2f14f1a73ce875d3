package io.resnet4j.io;

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
import java.nio.file.Files;
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

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Refuse absurd headers before allocating them (the reference implementation's limit is 100 MB). */
    private static final long MAX_HEADER = 100L << 20;

    private SafeTensors() {}

    /** Tensors in file order and the file's metadata. The arrays belong to the manager given to {@link #read}. */
    public record Contents(Map<String, NDArray> tensors, Map<String, String> metadata) {}

    /**
     * Reads every tensor of a safetensors file into the manager (on its device).
     *
     * @throws WeightsFormatException naming the file and what is wrong with it
     */
    public static Contents read(Path file, NDManager manager) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new WeightsFormatException(file + " is not a safetensors file: only " + size + " bytes");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long headerLen = lenBuf.flip().getLong();
            if (headerLen <= 0 || headerLen > MAX_HEADER || 8 + headerLen > size) {
                throw new WeightsFormatException(file + " is not a safetensors file: header length " + headerLen
                        + " does not fit a file of " + size + " bytes");
            }
            ByteBuffer headerBuf = ByteBuffer.allocate((int) headerLen);
            readFully(ch, headerBuf, 8);
            JsonNode header;
            try {
                header = JSON.readTree(new String(headerBuf.array(), StandardCharsets.UTF_8));
            } catch (JsonProcessingException e) {
                throw new WeightsFormatException(file + " is not a safetensors file: its header is not JSON");
            }
            if (header == null || !header.isObject()) {
                throw new WeightsFormatException(file + " is not a safetensors file: its header is not a JSON object");
            }
            long dataStart = 8 + headerLen;
            Map<String, String> metadata = new LinkedHashMap<>();
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("__metadata__")) {
                    e.getValue().fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                    continue;
                }
                JsonNode info = e.getValue();
                DataType type = dataType(file, e.getKey(), info.path("dtype").asText());
                long[] dims = new long[info.path("shape").size()];
                for (int i = 0; i < dims.length; i++) {
                    dims[i] = info.path("shape").get(i).asLong();
                }
                Shape shape = new Shape(dims);
                long begin = info.path("data_offsets").path(0).asLong(-1);
                long end = info.path("data_offsets").path(1).asLong(-1);
                long expected = shape.size() * type.getNumOfBytes();
                if (begin < 0 || end < begin || end - begin != expected || dataStart + end > size) {
                    throw new WeightsFormatException(file + ": tensor '" + e.getKey() + "' " + shape + " " + type
                            + " has byte range [" + begin + ", " + end + ") but needs " + expected
                            + " bytes inside a data section of " + (size - dataStart) + " (truncated or corrupt file)");
                }
                ByteBuffer data = ByteBuffer.allocateDirect((int) expected).order(ByteOrder.LITTLE_ENDIAN);
                readFully(ch, data, dataStart + begin);
                data.flip();
                NDArray array = manager.create(data, shape, type);
                array.setName(e.getKey());
                tensors.put(e.getKey(), array);
            }
            return new Contents(tensors, metadata);
        }
    }

    /** Reads only the metadata, without touching the tensor data. */
    public static Map<String, String> readMetadata(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long headerLen = lenBuf.flip().getLong();
            if (headerLen <= 0 || headerLen > MAX_HEADER || 8 + headerLen > ch.size()) {
                throw new WeightsFormatException(file + " is not a safetensors file");
            }
            ByteBuffer headerBuf = ByteBuffer.allocate((int) headerLen);
            readFully(ch, headerBuf, 8);
            JsonNode meta = JSON.readTree(new String(headerBuf.array(), StandardCharsets.UTF_8)).path("__metadata__");
            Map<String, String> out = new LinkedHashMap<>();
            meta.fields().forEachRemaining(m -> out.put(m.getKey(), m.getValue().asText()));
            return out;
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

    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new WeightsFormatException("unexpected end of file at byte " + pos);
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
