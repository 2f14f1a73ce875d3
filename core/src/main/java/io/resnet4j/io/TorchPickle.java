package io.resnet4j.io;

import io.resnet4j.files.InputFiles;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Reads a state_dict from PyTorch's zip checkpoint format ({@code torch.save} since PyTorch 1.6):
 * a zip holding {@code <name>/data.pkl} (the pickled object), {@code <name>/data/<key>} (one raw
 * storage per key) and {@code <name>/byteorder}; or from the legacy format before it (torchvision's
 * detection weights of 2019 are in it): a magic-number pickle, the protocol version, a system-info
 * dict, the object's pickle, the list of storage keys, then each storage as an 8-byte element count
 * and its raw bytes.
 *
 * <p>The pickle is read by a restricted unpickler written here. Python's unpickler imports and
 * calls whatever globals a pickle names, which is how a weight file can run code. This one knows
 * only the opcodes a state_dict uses and only the globals listed in {@link #ALLOWED}: {@code
 * OrderedDict}, the two tensor rebuild functions and the storage types. They are never looked up
 * or called; each is interpreted by Java code below. Any other global is refused as soon as the
 * pickle names it, before anything else in the file is used.
 */
public final class TorchPickle {

    /** The globals a state_dict pickle names, and the tensor element type of each storage global. */
    private static final Map<String, DataType> STORAGES = Map.of(
            "torch.FloatStorage", DataType.FLOAT32,
            "torch.DoubleStorage", DataType.FLOAT64,
            "torch.HalfStorage", DataType.FLOAT16,
            "torch.BFloat16Storage", DataType.BFLOAT16,
            "torch.LongStorage", DataType.INT64,
            "torch.IntStorage", DataType.INT32,
            "torch.CharStorage", DataType.INT8,
            "torch.ByteStorage", DataType.UINT8,
            "torch.BoolStorage", DataType.BOOLEAN);
    private static final String ORDERED_DICT = "collections.OrderedDict";
    private static final String REBUILD_TENSOR = "torch._utils._rebuild_tensor_v2";
    private static final String REBUILD_PARAMETER = "torch._utils._rebuild_parameter";

    /** Every global this reader accepts. */
    public static final List<String> ALLOWED;

    static {
        List<String> a = new ArrayList<>(List.of(ORDERED_DICT, REBUILD_TENSOR, REBUILD_PARAMETER));
        a.addAll(STORAGES.keySet().stream().sorted().toList());
        ALLOWED = List.copyOf(a);
    }

    /**
     * Limit on the pickle itself, counted in bytes actually inflated (the size a zip directory
     * declares is not evidence): a ResNet-1001 state_dict's pickle is about 3 MB.
     */
    static final int MAX_PICKLE = 16 << 20;
    /**
     * How many times the file's size its deflated storages may inflate to, and its tensors add up
     * to. torch.save stores storages uncompressed; trained weights deflate to about 90%, and only
     * all-zero tensors go much further, so a file whose storages need more is a decompression bomb.
     * (A ratio of 100 let a 5.8 MB file fill a 512 MB heap before the check tripped.)
     */
    static final int MAX_INFLATION = 10;
    /** Values the pickle may create (stack pushes and memo entries): far above a state_dict's 200,000. */
    static final int MAX_VALUES = 4_000_000;
    /** Dicts nested inside each other on the way to the state_dict ({'model': {'state_dict': ...}}). */
    static final int MAX_NESTING = 8;

    private TorchPickle() {}

    /** A global named by the pickle: only a token, never resolved to anything executable. */
    private record Global(String name) {}

    /** The pickle's MARK opcode on the stack. */
    private static final Object MARK = new Object();

    /** A storage referenced by persistent id: dtype and zip entry key. */
    private record StorageRef(DataType type, String key, long numel) {}

    /** A tensor before it becomes an NDArray: a view (offset, shape, strides) into a storage. */
    private record TensorRef(StorageRef storage, long offset, long[] shape, long[] stride) {}

    /**
     * Reads the state_dict of a {@code .pth}/{@code .pt} file: the top-level dict of tensors, or the
     * one under {@code state_dict} or {@code model} (training checkpoints), with every tensor
     * copied contiguously into the manager. Keys are returned as stored ({@code module.} prefixes
     * are handled by {@link StateDicts#normalise}).
     *
     * @throws WeightsFormatException for legacy/TorchScript files, forbidden globals, or corrupt data
     */
    public static Map<String, NDArray> readStateDict(Path file, NDManager manager) throws IOException {
        InputFiles.requireRegularFile(file, "a .pth or .pt file");
        byte[] magic = new byte[4];
        try (InputStream in = Files.newInputStream(file)) {
            int n = in.readNBytes(magic, 0, 4);
            if (n < 4) {
                throw new WeightsFormatException(file + " is not a PyTorch checkpoint: only " + n + " bytes");
            }
        }
        if (!(magic[0] == 'P' && magic[1] == 'K')) {
            if ((magic[0] & 0xff) == 0x80) {
                return readLegacy(file, manager);
            }
            throw new WeightsFormatException(file + " is not a PyTorch checkpoint (neither a zip archive nor the"
                    + " legacy pickle format)");
        }
        try (ZipFile zip = new ZipFile(file.toFile())) {
            ZipEntry pkl = dataPkl(file, zip);
            String prefix = pkl.getName().substring(0, pkl.getName().length() - "data.pkl".length());
            ByteOrder order = byteOrder(zip, prefix);
            Object root = new Unpickler(file, ByteBuffer.wrap(readPickle(file, zip, pkl))).load();
            Map<String, TensorRef> refs = findStateDict(file, root, 0);
            return new ZipStorages(file, zip, prefix, order).tensors(refs, manager);
        } catch (java.util.zip.ZipException | java.io.EOFException e) {
            // java.util.zip reports an entry reaching past the end as a bare EOFException.
            throw new WeightsFormatException(file + " is a corrupt zip archive: "
                    + (e.getMessage() == null ? "an entry reaches past the end of the file" : e.getMessage()));
        }
    }

    private static ZipEntry dataPkl(Path file, ZipFile zip) throws WeightsFormatException {
        ZipEntry pkl = null;
        for (var it = zip.entries().asIterator(); it.hasNext(); ) {
            ZipEntry e = it.next();
            String name = e.getName();
            if (name.endsWith("/constants.pkl")) {
                throw new WeightsFormatException(file + " is a TorchScript archive (torch.jit.save), not a"
                        + " state_dict; in Python save model.state_dict() with torch.save instead");
            }
            if (name.endsWith("data.pkl") && name.indexOf('/') == name.lastIndexOf('/')) {
                pkl = e;
            }
        }
        if (pkl == null) {
            throw new WeightsFormatException(file + " is a zip file without a data.pkl entry; not a torch.save file");
        }
        return pkl;
    }

    private static ByteOrder byteOrder(ZipFile zip, String prefix) throws IOException {
        ZipEntry bo = zip.getEntry(prefix + "byteorder");
        if (bo == null) {
            return ByteOrder.LITTLE_ENDIAN;
        }
        try (InputStream in = zip.getInputStream(bo)) {
            String s = new String(in.readNBytes(16), StandardCharsets.US_ASCII).trim();
            return "big".equals(s) ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        }
    }

    /** The pickle's bytes, reading one byte past the limit to tell a large pickle from one that fits exactly. */
    private static byte[] readPickle(Path file, ZipFile zip, ZipEntry pkl) throws IOException {
        byte[] pickle;
        try (InputStream in = zip.getInputStream(pkl)) {
            pickle = in.readNBytes(MAX_PICKLE + 1);
        }
        if (pickle.length > MAX_PICKLE) {
            throw new WeightsFormatException(file + ": its data.pkl inflates to more than " + MAX_PICKLE + " bytes"
                    + " (the zip directory says " + pkl.getSize() + "); a state_dict's pickle is a few MB at most"
                    + " (corrupt or crafted file)");
        }
        return pickle;
    }

    /** The legacy format's magic-number pickle: protocol 2, LONG1 of 10 bytes (0x1950a86a20f9469cfc6c), STOP. */
    private static final byte[] LEGACY_MAGIC = {(byte) 0x80, 2, (byte) 0x8a, 10, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46,
        (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8, 0x50, 0x19, '.'};
    private static final long LEGACY_PROTOCOL = 1001;

    /**
     * The legacy format: its pickles must fit in the first {@link #MAX_PICKLE} bytes; the storages
     * follow them, each where the previous one ends.
     */
    private static Map<String, NDArray> readLegacy(Path file, NDManager manager) throws IOException {
        long size = Files.size(file);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer head = ByteBuffer.allocate((int) Math.min(size, MAX_PICKLE));
            for (int n = 0; n >= 0 && head.hasRemaining(); ) {
                n = ch.read(head);
            }
            head.flip().order(ByteOrder.LITTLE_ENDIAN);
            byte[] magic = new byte[Math.min(LEGACY_MAGIC.length, head.remaining())];
            head.get(magic);
            if (!Arrays.equals(magic, LEGACY_MAGIC)) {
                throw new WeightsFormatException(file + " starts like a pickle but not like a torch.save file (no magic"
                        + " number); resnet4j reads state_dicts saved with torch.save");
            }
            if (!Long.valueOf(LEGACY_PROTOCOL).equals(new Unpickler(file, head).load())) {
                throw new WeightsFormatException(file + ": not torch.save's legacy protocol " + LEGACY_PROTOCOL);
            }
            ByteOrder order = legacyByteOrder(file, new Unpickler(file, head).load());
            Object root = new Unpickler(file, head).load();
            Object keys = new Unpickler(file, head).load();
            Map<String, TensorRef> refs = findStateDict(file, root, 0);
            return new LegacyStorages(file, ch, head.position(), keys, order).tensors(refs, manager);
        } catch (java.nio.BufferUnderflowException e) {
            throw new WeightsFormatException(file + ": its pickles end early or do not fit in the first " + MAX_PICKLE
                    + " bytes (truncated or not a state_dict)");
        }
    }

    private static ByteOrder legacyByteOrder(Path file, Object sysInfo) throws WeightsFormatException {
        if (!(sysInfo instanceof Map<?, ?> info) || !(info.get("little_endian") instanceof Boolean little)) {
            throw new WeightsFormatException(file + ": its system-info pickle is not torch.save's");
        }
        return little ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
    }

    /**
     * The storages of one file, each read once, and the budget they share: the tensors copied out of
     * them may not add up to more than {@link #MAX_INFLATION} times the file.
     */
    private abstract static class Storages {
        final Path file;
        final long fileSize;
        private final ByteOrder order;
        private final Map<String, byte[]> read = new HashMap<>();
        private long tensorBytes;

        Storages(Path file, ByteOrder order) throws IOException {
            this.file = file;
            this.order = order;
            this.fileSize = Files.size(file);
        }

        /** The bytes of a storage, checked against the file. */
        abstract byte[] load(String tensor, StorageRef ref, long bytes) throws IOException;

        Map<String, NDArray> tensors(Map<String, TensorRef> refs, NDManager manager) throws IOException {
            Map<String, NDArray> out = new LinkedHashMap<>();
            for (Map.Entry<String, TensorRef> e : refs.entrySet()) {
                TensorRef t = e.getValue();
                byte[] data = storage(e.getKey(), t.storage());
                ByteBuffer contiguous = contiguous(file, e.getKey(), t, data, order);
                tensorBytes += contiguous.capacity();
                if (tensorBytes > Math.multiplyExact(fileSize, (long) MAX_INFLATION)) {
                    throw new WeightsFormatException(file + ": its tensors add up to more than " + MAX_INFLATION
                            + " times the file's " + fileSize + " bytes (views repeating the same storage; crafted file)");
                }
                NDArray array = manager.create(contiguous, new Shape(t.shape()), t.storage().type());
                array.setName(e.getKey());
                out.put(e.getKey(), array);
            }
            return out;
        }

        private byte[] storage(String tensor, StorageRef ref) throws IOException {
            byte[] data = read.get(ref.key());
            if (data != null) {
                return data;
            }
            long bytes;
            try {
                bytes = Math.multiplyExact(ref.numel(), (long) ref.type().getNumOfBytes());
            } catch (ArithmeticException e) {
                bytes = -1;
            }
            if (bytes < 0 || bytes > Integer.MAX_VALUE - 8) {
                throw new WeightsFormatException(file + ": storage " + ref.key() + " claims " + ref.numel()
                        + " elements; resnet4j reads storages up to 2 GB (corrupt file)");
            }
            data = load(tensor, ref, bytes);
            read.put(ref.key(), data);
            return data;
        }
    }

    /** Storages as zip entries; deflated ones may not inflate past {@link #MAX_INFLATION} times their share. */
    private static final class ZipStorages extends Storages {
        private final ZipFile zip;
        private final String prefix;
        private long storageShare;

        ZipStorages(Path file, ZipFile zip, String prefix, ByteOrder order) throws IOException {
            super(file, order);
            this.zip = zip;
            this.prefix = prefix;
        }

        @Override
        byte[] load(String tensor, StorageRef ref, long bytes) throws IOException {
            ZipEntry se = zip.getEntry(prefix + "data/" + ref.key());
            if (se == null) {
                throw new WeightsFormatException(file + ": tensor '" + tensor + "' refers to storage " + ref.key()
                        + ", which the archive does not contain (truncated file?)");
            }
            charge(ref.key(), se, bytes);
            return readExactly(se, ref.key(), (int) bytes);
        }

        /** Counts the storage against the file's size before a byte of it is allocated. */
        private void charge(String key, ZipEntry se, long bytes) throws WeightsFormatException {
            boolean stored = se.getMethod() == ZipEntry.STORED;
            storageShare += stored ? bytes : (bytes + MAX_INFLATION - 1) / MAX_INFLATION;
            if (storageShare > fileSize) {
                throw new WeightsFormatException(file + ": its storages (up to " + key + ") need more bytes than the"
                        + " file's " + fileSize + (stored ? " (overlapping zip entries; crafted file)"
                        : " even at " + MAX_INFLATION + "x compression (a decompression bomb)"));
            }
        }

        private byte[] readExactly(ZipEntry se, String key, int bytes) throws IOException {
            try (InputStream in = zip.getInputStream(se)) {
                byte[] data = in.readNBytes(bytes);
                if (data.length != bytes || in.read() >= 0) {
                    throw new WeightsFormatException(file + ": storage " + key + " should hold " + bytes + " bytes but"
                            + " its zip entry holds " + (data.length < bytes ? data.length + "" : "more")
                            + " (corrupt file)");
                }
                return data;
            }
        }
    }

    /**
     * Storages of the legacy format, one after the other in the order of the key list, each an
     * element count and the raw bytes; only where the count agrees with the pickle and the bytes are
     * in the file.
     */
    private static final class LegacyStorages extends Storages {
        private final FileChannel channel;
        private final long start;
        private final List<String> keys;
        private final Map<String, Long> offsets = new HashMap<>();

        LegacyStorages(Path file, FileChannel channel, long start, Object keys, ByteOrder order) throws IOException {
            super(file, order);
            this.channel = channel;
            this.start = start;
            if (!(keys instanceof List<?> list) || !list.stream().allMatch(k -> k instanceof String)) {
                throw new WeightsFormatException(file + ": the list of storage keys after the state_dict is missing");
            }
            this.keys = list.stream().map(String.class::cast).toList();
        }

        @Override
        byte[] load(String tensor, StorageRef ref, long bytes) throws IOException {
            long at = offset(tensor, ref.key());
            ByteBuffer count = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readAt(count, at);
            if (count.flip().getLong() != ref.numel()) {
                throw new WeightsFormatException(file + ": storage " + ref.key() + " holds " + count.getLong(0)
                        + " elements in the file but " + ref.numel() + " in its pickle (corrupt file)");
            }
            if (at + 8 + bytes > fileSize) {
                throw new WeightsFormatException(file + ": storage " + ref.key() + " reaches past the end of the file"
                        + " (truncated file)");
            }
            ByteBuffer data = ByteBuffer.allocate((int) bytes);
            readAt(data, at + 8);
            return data.array();
        }

        /**
         * Where a storage starts: each one's length is known only from its element count and the
         * element size of the tensors using it, so offsets are found walking the keys in file order.
         */
        private long offset(String tensor, String key) throws IOException {
            Long known = offsets.get(key);
            if (known != null) {
                return known;
            }
            if (!keys.contains(key)) {
                throw new WeightsFormatException(file + ": tensor '" + tensor + "' refers to storage " + key
                        + ", which the file does not list (corrupt file)");
            }
            throw new WeightsFormatException(file + ": storage " + key + " is not reached in file order; its"
                    + " predecessors are not used by any tensor (not a plain state_dict)");
        }

        /** Walks the storages in file order, given each key's element size (from the tensors that use it). */
        void locate(Map<String, TensorRef> refs) throws IOException {
            Map<String, Integer> elementSize = new HashMap<>();
            refs.values().forEach(t -> elementSize.put(t.storage().key(), t.storage().type().getNumOfBytes()));
            long at = start;
            ByteBuffer count = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            for (String key : keys) {
                Integer size = elementSize.get(key);
                if (size == null) {
                    return; // no tensor uses it: the ones after it cannot be located, and offset() says so
                }
                offsets.put(key, at);
                readAt(count.clear(), at);
                long n = count.flip().getLong();
                try {
                    at = Math.addExact(at, Math.addExact(8, Math.multiplyExact(n, (long) size)));
                } catch (ArithmeticException e) {
                    throw new WeightsFormatException(file + ": storage " + key + " claims " + n + " elements (corrupt file)");
                }
                if (n < 0 || at > fileSize) {
                    throw new WeightsFormatException(file + ": storage " + key + " claims " + n + " elements, more than"
                            + " the file holds (truncated or corrupt file)");
                }
            }
        }

        @Override
        Map<String, NDArray> tensors(Map<String, TensorRef> refs, NDManager manager) throws IOException {
            locate(refs);
            return super.tensors(refs, manager);
        }

        private void readAt(ByteBuffer into, long position) throws IOException {
            long p = position;
            while (into.hasRemaining()) {
                int n = channel.read(into, p);
                if (n < 0) {
                    throw new WeightsFormatException(file + " ends inside a storage (truncated file)");
                }
                p += n;
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, TensorRef> findStateDict(Path file, Object root, int depth)
            throws WeightsFormatException {
        if (depth > MAX_NESTING) {
            throw new WeightsFormatException(file + " nests dicts more than " + MAX_NESTING + " deep on the way to"
                    + " its state_dict (a dict inside itself?); not a checkpoint resnet4j reads");
        }
        if (!(root instanceof Map)) {
            throw new WeightsFormatException(file + " holds a pickled " + describe(root) + ", not a state_dict");
        }
        Map<Object, Object> map = (Map<Object, Object>) root;
        if (!map.isEmpty() && map.values().stream().allMatch(v -> v instanceof TensorRef)) {
            Map<String, TensorRef> out = new LinkedHashMap<>();
            for (Map.Entry<Object, Object> e : map.entrySet()) {
                out.put(String.valueOf(e.getKey()), (TensorRef) e.getValue());
            }
            return out;
        }
        // Training scripts wrap the weights with epoch, optimizer state etc.
        for (String key : List.of("state_dict", "model", "model_state_dict", "model_state")) {
            if (map.get(key) instanceof Map<?, ?> inner) {
                return findStateDict(file, inner, depth + 1);
            }
        }
        throw new WeightsFormatException(file + " holds a dict with keys " + abbreviate(map.keySet())
                + " that is neither a state_dict (all tensors) nor has one under 'state_dict' or 'model'");
    }

    private static String abbreviate(java.util.Collection<?> keys) {
        List<String> k = keys.stream().map(String::valueOf).toList();
        return k.size() <= 8 ? k.toString() : k.subList(0, 8) + " ... (" + k.size() + " keys)";
    }

    private static String describe(Object o) {
        return o == null ? "None" : o instanceof TensorRef ? "tensor" : o.getClass().getSimpleName();
    }

    /**
     * The view's element count, after checking that every element it reaches lies inside the storage.
     * All arithmetic is exact: crafted sizes and strides must not wrap around into range.
     */
    private static long elementsInside(Path file, String name, TensorRef t, long storageElements)
            throws WeightsFormatException {
        String view = "tensor '" + name + "' with size " + Arrays.toString(t.shape()) + ", stride "
                + Arrays.toString(t.stride()) + " and offset " + t.offset();
        try {
            long count = 1;
            long maxIndex = t.offset();
            for (int d = 0; d < t.shape().length; d++) {
                if (t.shape()[d] < 0 || t.stride()[d] < 0 || t.offset() < 0) {
                    throw new WeightsFormatException(file + ": " + view + " (negative; corrupt file)");
                }
                count = Math.multiplyExact(count, t.shape()[d]);
                if (t.shape()[d] > 0) {
                    maxIndex = Math.addExact(maxIndex, Math.multiplyExact(t.shape()[d] - 1, t.stride()[d]));
                }
            }
            if (count > 0 && maxIndex >= storageElements) {
                throw new WeightsFormatException(file + ": " + view + " reaches element " + maxIndex
                        + " of a storage of " + storageElements + " (corrupt file)");
            }
            return count;
        } catch (ArithmeticException e) {
            throw new WeightsFormatException(file + ": " + view + " overflows a 64-bit index (corrupt file)");
        }
    }

    /** Gathers a (possibly strided, offset) view of a storage into a contiguous little-endian buffer. */
    private static ByteBuffer contiguous(Path file, String name, TensorRef t, byte[] storage, ByteOrder order)
            throws WeightsFormatException {
        int es = t.storage().type().getNumOfBytes();
        long storageElements = storage.length / es;
        long count = elementsInside(file, name, t, storageElements);
        if (count > storageElements) {
            // Only a stride-0 (expanded) view can be larger than its storage; no state_dict tensor is one.
            throw new WeightsFormatException(file + ": tensor '" + name + "' " + Arrays.toString(t.shape()) + " has "
                    + count + " elements but its storage holds " + storageElements + " (a stride-0 view; resnet4j"
                    + " reads tensors no larger than the data in the file)");
        }
        ByteBuffer out = ByteBuffer.allocateDirect((int) (count * es)).order(ByteOrder.nativeOrder());
        boolean swap = order != ByteOrder.nativeOrder() && es > 1;
        int rank = t.shape().length;
        long[] idx = new long[rank];
        byte[] element = new byte[es];
        for (long i = 0; i < count; i++) {
            long pos = t.offset();
            for (int d = 0; d < rank; d++) {
                pos += idx[d] * t.stride()[d];
            }
            int base = (int) (pos * es);
            if (swap) {
                for (int b = 0; b < es; b++) {
                    element[b] = storage[base + es - 1 - b];
                }
                out.put(element);
            } else {
                out.put(storage, base, es);
            }
            for (int d = rank - 1; d >= 0; d--) {
                if (++idx[d] < t.shape()[d]) {
                    break;
                }
                idx[d] = 0;
            }
        }
        return out.flip();
    }

    /** The pickle virtual machine, restricted to what {@code torch.save(state_dict)} emits (protocols 2 to 5). */
    private static final class Unpickler {
        private final Path file;
        private final ByteBuffer in;
        private final ArrayList<Object> stack = new ArrayList<>();
        private final Map<Integer, Object> memo = new HashMap<>();
        private int values;

        /** Reads one pickle from the buffer's position, leaving it after the pickle's STOP. */
        Unpickler(Path file, ByteBuffer pickle) {
            this.file = file;
            this.in = pickle.order(ByteOrder.LITTLE_ENDIAN);
        }

        Object load() throws WeightsFormatException {
            try {
                while (true) {
                    int op = in.get() & 0xff;
                    switch (op) {
                        case 0x80 -> in.get(); // PROTO
                        case 0x95 -> in.getLong(); // FRAME: a length hint only
                        case '.' -> { // STOP
                            return pop();
                        }
                        case '(' -> push(MARK);
                        case '}' -> push(new LinkedHashMap<Object, Object>());
                        case ']' -> push(new ArrayList<Object>());
                        case ')' -> push(List.of());
                        case 'N' -> push(null);
                        case 0x88 -> push(Boolean.TRUE);
                        case 0x89 -> push(Boolean.FALSE);
                        case 'J' -> push((long) in.getInt());
                        case 'K' -> push((long) (in.get() & 0xff));
                        case 'M' -> push((long) (in.getShort() & 0xffff));
                        case 0x8a -> push(long1(in.get() & 0xff));
                        case 'G' -> push(Double.longBitsToDouble(Long.reverseBytes(in.getLong()))); // big-endian
                        case 'X' -> push(string(in.getInt()));
                        case 0x8c -> push(string(in.get() & 0xff));
                        case 0x8d -> push(string(in.getLong()));
                        case 'c' -> push(global(line() + "." + line()));
                        case 0x93 -> { // STACK_GLOBAL
                            Object name = pop();
                            Object module = pop();
                            if (!(module instanceof String) || !(name instanceof String)) {
                                throw fault("STACK_GLOBAL of a " + describe(module) + " and a " + describe(name));
                            }
                            push(global(module + "." + name));
                        }
                        case 'q' -> remember(in.get() & 0xff);
                        case 'r' -> remember(in.getInt());
                        case 0x94 -> remember(memo.size());
                        case 'h' -> push(memoGet(in.get() & 0xff));
                        case 'j' -> push(memoGet(in.getInt()));
                        case 't' -> push(popMark());
                        case 0x85 -> push(tuple(1));
                        case 0x86 -> push(tuple(2));
                        case 0x87 -> push(tuple(3));
                        case 'a' -> {
                            Object v = pop();
                            list(top()).add(v);
                        }
                        case 'e' -> {
                            List<Object> items = popMark();
                            list(top()).addAll(items);
                        }
                        case 's' -> {
                            Object v = pop();
                            Object k = key(pop());
                            dict(top()).put(k, v);
                        }
                        case 'u' -> {
                            List<Object> items = popMark();
                            Map<Object, Object> d = dict(top());
                            for (int i = 0; i + 1 < items.size(); i += 2) {
                                d.put(key(items.get(i)), items.get(i + 1));
                            }
                        }
                        case 'Q' -> push(persistentLoad(pop()));
                        case 'R' -> {
                            Object args = pop();
                            Object callable = pop();
                            push(reduce(callable, args));
                        }
                        case 'b' -> { // BUILD: OrderedDict carries its _metadata (module versions) this way
                            Object state = pop();
                            if (!(top() instanceof Map) || !(state instanceof Map || state == null)) {
                                throw fault("BUILD on a " + describe(top()));
                            }
                        }
                        default -> throw fault(String.format("pickle opcode 0x%02x ('%c'), which a state_dict never uses",
                                op, (char) op));
                    }
                }
            } catch (java.nio.BufferUnderflowException | IndexOutOfBoundsException | ClassCastException
                    | ArithmeticException e) {
                throw new WeightsFormatException(file + " has a corrupt pickle (data.pkl): " + e);
            }
        }

        private void push(Object value) throws WeightsFormatException {
            count();
            stack.add(value);
        }

        private void remember(int index) throws WeightsFormatException {
            count();
            memo.put(index, top());
        }

        /** Every pushed value and memo entry costs memory; a few bytes of pickle must not buy gigabytes. */
        private void count() throws WeightsFormatException {
            if (++values > MAX_VALUES) {
                throw fault("more than " + MAX_VALUES + " values");
            }
        }

        /**
         * Dict keys are hashed, and hashing a list that contains itself never ends. A state_dict's keys
         * are strings (numbers in some wrappers), so nothing else is accepted.
         */
        private Object key(Object k) throws WeightsFormatException {
            if (k == null || k instanceof String || k instanceof Long || k instanceof Boolean || k instanceof Double) {
                return k;
            }
            throw fault("a dict key that is a " + describe(k));
        }

        private Global global(String name) throws WeightsFormatException {
            if (!ALLOWED.contains(name)) {
                throw new WeightsFormatException("refusing to load " + file.getFileName() + ": its pickle names the"
                        + " global '" + name + "', which a state_dict never needs; resnet4j does not execute code"
                        + " from weight files");
            }
            return new Global(name);
        }

        private Object reduce(Object callable, Object argsObject) throws WeightsFormatException {
            if (!(callable instanceof Global g) || !(argsObject instanceof List<?> args)) {
                throw fault("REDUCE of " + describe(callable));
            }
            switch (g.name()) {
                case ORDERED_DICT -> {
                    return new LinkedHashMap<Object, Object>();
                }
                case REBUILD_PARAMETER -> { // (data, requires_grad, backward_hooks)
                    return args.get(0);
                }
                case REBUILD_TENSOR -> { // (storage, storage_offset, size, stride, requires_grad, hooks[, metadata])
                    if (args.size() < 4 || !(args.get(0) instanceof StorageRef s)) {
                        throw fault("_rebuild_tensor_v2 without a storage, offset, size and stride");
                    }
                    if (!(args.get(1) instanceof Long offset)) {
                        throw fault("tensor with " + describe(args.get(1)) + " as its storage offset");
                    }
                    long[] size = longs(args.get(2));
                    long[] stride = longs(args.get(3));
                    if (size.length != stride.length) {
                        throw fault("tensor with size " + Arrays.toString(size) + " but stride " + Arrays.toString(stride));
                    }
                    return new TensorRef(s, offset, size, stride);
                }
                default -> throw fault("a call of " + g.name());
            }
        }

        /**
         * persistent_load for ('storage', storage_type, key, location, numel), with a sixth entry, None,
         * in the legacy format (a storage view's metadata otherwise, which state_dicts never hold): a
         * reference, data read later.
         */
        private Object persistentLoad(Object pid) throws WeightsFormatException {
            boolean shape = pid instanceof List<?> t && (t.size() == 5 || t.size() == 6 && t.get(5) == null);
            if (shape && pid instanceof List<?> t && "storage".equals(t.get(0)) && t.get(1) instanceof Global g
                    && STORAGES.containsKey(g.name()) && t.get(2) instanceof String key && t.get(4) instanceof Long n
                    && n >= 0) {
                return new StorageRef(STORAGES.get(g.name()), key, n);
            }
            throw fault("a persistent id that is not ('storage', type, key, location, size) but a " + describe(pid));
        }

        private long[] longs(Object o) throws WeightsFormatException {
            if (!(o instanceof List<?> l)) {
                throw fault("tensor size/stride that is not a tuple");
            }
            long[] out = new long[l.size()];
            for (int i = 0; i < out.length; i++) {
                if (!(l.get(i) instanceof Long v)) {
                    throw fault("tensor size/stride with " + describe(l.get(i)) + " where an integer belongs");
                }
                out[i] = v;
            }
            return out;
        }

        private List<Object> tuple(int n) {
            List<Object> items = new ArrayList<>(stack.subList(stack.size() - n, stack.size()));
            stack.subList(stack.size() - n, stack.size()).clear();
            return items;
        }

        private long long1(int n) {
            byte[] b = new byte[n];
            in.get(b);
            long v = 0;
            for (int i = n - 1; i >= 0; i--) {
                v = (v << 8) | (b[i] & 0xff);
            }
            if (n > 0 && n < 8 && (b[n - 1] & 0x80) != 0) {
                v -= 1L << (8 * n); // two's complement of an n-byte number
            }
            return v;
        }

        /** A string of n bytes; the length is checked against the bytes left before anything is allocated. */
        private String string(long n) throws WeightsFormatException {
            if (n < 0 || n > in.remaining()) {
                throw fault("a string of " + n + " bytes where " + in.remaining() + " remain (truncated or crafted)");
            }
            byte[] b = new byte[(int) n];
            in.get(b);
            return new String(b, StandardCharsets.UTF_8);
        }

        private String line() {
            StringBuilder sb = new StringBuilder();
            for (byte c = in.get(); c != '\n'; c = in.get()) {
                sb.append((char) c);
            }
            return sb.toString();
        }

        private Object memoGet(int i) throws WeightsFormatException {
            if (!memo.containsKey(i)) {
                throw fault("memo entry " + i + " read before it was written");
            }
            return memo.get(i);
        }

        private Object pop() {
            return stack.remove(stack.size() - 1);
        }

        private Object top() {
            return stack.get(stack.size() - 1);
        }

        private List<Object> popMark() throws WeightsFormatException {
            int m = stack.lastIndexOf(MARK);
            if (m < 0) {
                throw fault("missing MARK");
            }
            List<Object> items = new ArrayList<>(stack.subList(m + 1, stack.size()));
            stack.subList(m, stack.size()).clear();
            return items;
        }

        @SuppressWarnings("unchecked")
        private List<Object> list(Object o) throws WeightsFormatException {
            if (o instanceof ArrayList) {
                return (List<Object>) o;
            }
            throw fault("APPEND to a " + describe(o));
        }

        @SuppressWarnings("unchecked")
        private Map<Object, Object> dict(Object o) throws WeightsFormatException {
            if (o instanceof Map) {
                return (Map<Object, Object>) o;
            }
            throw fault("SETITEM on a " + describe(o));
        }

        private WeightsFormatException fault(String what) {
            return new WeightsFormatException(file + ": its pickle contains " + what
                    + ", which resnet4j's restricted reader does not accept (only plain state_dicts are read)");
        }
    }
}
