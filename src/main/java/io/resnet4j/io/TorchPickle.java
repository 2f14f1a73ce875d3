package io.resnet4j.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * storage per key) and {@code <name>/byteorder}.
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

    /** Limit on the pickle itself; a state_dict's pickle is a few hundred kilobytes at most. */
    private static final long MAX_PICKLE = 256L << 20;

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
        byte[] magic = new byte[4];
        try (InputStream in = Files.newInputStream(file)) {
            int n = in.readNBytes(magic, 0, 4);
            if (n < 4) {
                throw new WeightsFormatException(file + " is not a PyTorch checkpoint: only " + n + " bytes");
            }
        }
        if (!(magic[0] == 'P' && magic[1] == 'K')) {
            if ((magic[0] & 0xff) == 0x80) {
                throw new WeightsFormatException(file + " uses PyTorch's legacy (pre-1.6, non-zip) format, which"
                        + " resnet4j does not read; re-save it with a current PyTorch:"
                        + " torch.save(torch.load('old.pth'), 'new.pth'), or export it to safetensors");
            }
            throw new WeightsFormatException(file + " is not a PyTorch zip checkpoint (no zip signature)");
        }
        try (ZipFile zip = new ZipFile(file.toFile())) {
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
            String prefix = pkl.getName().substring(0, pkl.getName().length() - "data.pkl".length());
            ByteOrder order = ByteOrder.LITTLE_ENDIAN;
            ZipEntry bo = zip.getEntry(prefix + "byteorder");
            if (bo != null) {
                String s = new String(zip.getInputStream(bo).readAllBytes(), StandardCharsets.US_ASCII).trim();
                order = "big".equals(s) ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
            }
            if (pkl.getSize() > MAX_PICKLE) {
                throw new WeightsFormatException(file + ": data.pkl is " + pkl.getSize() + " bytes, far more than a state_dict needs");
            }
            byte[] pickle = zip.getInputStream(pkl).readAllBytes();
            Object root = new Unpickler(file, pickle).load();
            Map<String, TensorRef> refs = findStateDict(file, root);
            Map<String, byte[]> storages = new HashMap<>();
            Map<String, NDArray> out = new LinkedHashMap<>();
            for (Map.Entry<String, TensorRef> e : refs.entrySet()) {
                TensorRef t = e.getValue();
                byte[] data = storages.get(t.storage().key());
                if (data == null) {
                    ZipEntry se = zip.getEntry(prefix + "data/" + t.storage().key());
                    if (se == null) {
                        throw new WeightsFormatException(file + ": tensor '" + e.getKey() + "' refers to storage "
                                + t.storage().key() + ", which the archive does not contain (truncated file?)");
                    }
                    data = zip.getInputStream(se).readAllBytes();
                    storages.put(t.storage().key(), data);
                }
                NDArray array = manager.create(contiguous(file, e.getKey(), t, data, order), new Shape(t.shape()),
                        t.storage().type());
                array.setName(e.getKey());
                out.put(e.getKey(), array);
            }
            return out;
        } catch (java.util.zip.ZipException e) {
            throw new WeightsFormatException(file + " is a corrupt zip archive: " + e.getMessage());
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, TensorRef> findStateDict(Path file, Object root) throws WeightsFormatException {
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
                return findStateDict(file, inner);
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

    /** Gathers a (possibly strided, offset) view of a storage into a contiguous little-endian buffer. */
    private static ByteBuffer contiguous(Path file, String name, TensorRef t, byte[] storage, ByteOrder order)
            throws WeightsFormatException {
        int es = t.storage().type().getNumOfBytes();
        long count = 1;
        long maxIndex = t.offset();
        for (int d = 0; d < t.shape().length; d++) {
            if (t.shape()[d] < 0 || t.stride()[d] < 0) {
                throw new WeightsFormatException(file + ": tensor '" + name + "' has size " + Arrays.toString(t.shape())
                        + " and stride " + Arrays.toString(t.stride()) + " (negative; corrupt file)");
            }
            count = Math.multiplyExact(count, t.shape()[d]);
            if (t.shape()[d] > 0) {
                maxIndex += (t.shape()[d] - 1) * t.stride()[d];
            }
        }
        if (count > 0 && (t.offset() < 0 || (maxIndex + 1) * es > storage.length)) {
            throw new WeightsFormatException(file + ": tensor '" + name + "' " + Arrays.toString(t.shape())
                    + " reaches element " + maxIndex + " of a storage of " + storage.length / es + " (corrupt file)");
        }
        if (count * es > Integer.MAX_VALUE - 8) {
            // A stride-0 view can claim any size over a tiny storage; no ResNet tensor comes near 2 GB.
            throw new WeightsFormatException(file + ": tensor '" + name + "' " + Arrays.toString(t.shape())
                    + " would need " + count * es + " bytes; resnet4j reads tensors up to 2 GB");
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

        Unpickler(Path file, byte[] pickle) {
            this.file = file;
            this.in = ByteBuffer.wrap(pickle).order(ByteOrder.LITTLE_ENDIAN);
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
                        case '(' -> stack.add(MARK);
                        case '}' -> stack.add(new LinkedHashMap<Object, Object>());
                        case ']' -> stack.add(new ArrayList<Object>());
                        case ')' -> stack.add(List.of());
                        case 'N' -> stack.add(null);
                        case 0x88 -> stack.add(Boolean.TRUE);
                        case 0x89 -> stack.add(Boolean.FALSE);
                        case 'J' -> stack.add((long) in.getInt());
                        case 'K' -> stack.add((long) (in.get() & 0xff));
                        case 'M' -> stack.add((long) (in.getShort() & 0xffff));
                        case 0x8a -> stack.add(long1(in.get() & 0xff));
                        case 'G' -> stack.add(Double.longBitsToDouble(Long.reverseBytes(in.getLong()))); // big-endian
                        case 'X' -> stack.add(string(in.getInt()));
                        case 0x8c -> stack.add(string(in.get() & 0xff));
                        case 0x8d -> stack.add(string(Math.toIntExact(in.getLong())));
                        case 'c' -> stack.add(global(line() + "." + line()));
                        case 0x93 -> { // STACK_GLOBAL
                            Object name = pop();
                            Object module = pop();
                            stack.add(global(module + "." + name));
                        }
                        case 'q' -> memo.put(in.get() & 0xff, top());
                        case 'r' -> memo.put(in.getInt(), top());
                        case 0x94 -> memo.put(memo.size(), top());
                        case 'h' -> stack.add(memoGet(in.get() & 0xff));
                        case 'j' -> stack.add(memoGet(in.getInt()));
                        case 't' -> stack.add(popMark());
                        case 0x85 -> stack.add(tuple(1));
                        case 0x86 -> stack.add(tuple(2));
                        case 0x87 -> stack.add(tuple(3));
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
                            Object k = pop();
                            dict(top()).put(k, v);
                        }
                        case 'u' -> {
                            List<Object> items = popMark();
                            Map<Object, Object> d = dict(top());
                            for (int i = 0; i + 1 < items.size(); i += 2) {
                                d.put(items.get(i), items.get(i + 1));
                            }
                        }
                        case 'Q' -> stack.add(persistentLoad(pop()));
                        case 'R' -> {
                            Object args = pop();
                            Object callable = pop();
                            stack.add(reduce(callable, args));
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
                    if (!(args.get(0) instanceof StorageRef s)) {
                        throw fault("_rebuild_tensor_v2 without a storage");
                    }
                    long[] size = longs(args.get(2));
                    long[] stride = longs(args.get(3));
                    if (size.length != stride.length) {
                        throw fault("tensor with size " + Arrays.toString(size) + " but stride " + Arrays.toString(stride));
                    }
                    return new TensorRef(s, (Long) args.get(1), size, stride);
                }
                default -> throw fault("a call of " + g.name());
            }
        }

        /** persistent_load for ('storage', storage_type, key, location, numel): a reference, data read later. */
        private Object persistentLoad(Object pid) throws WeightsFormatException {
            if (pid instanceof List<?> t && t.size() == 5 && "storage".equals(t.get(0)) && t.get(1) instanceof Global g
                    && STORAGES.containsKey(g.name())) {
                return new StorageRef(STORAGES.get(g.name()), String.valueOf(t.get(2)), (Long) t.get(4));
            }
            throw fault("persistent id " + pid);
        }

        private long[] longs(Object o) throws WeightsFormatException {
            if (!(o instanceof List<?> l)) {
                throw fault("tensor size/stride that is not a tuple");
            }
            long[] out = new long[l.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = (Long) l.get(i);
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

        private String string(int n) {
            byte[] b = new byte[n];
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
