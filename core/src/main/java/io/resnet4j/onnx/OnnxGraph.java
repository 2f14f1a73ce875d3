package io.resnet4j.onnx;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small ONNX graph under construction, serialised as an ONNX {@code ModelProto}.
 *
 * <p>Only what a ResNet needs is modelled: float inputs/outputs with a symbolic batch dimension,
 * nodes with int/float/ints/string attributes, and float initializers stored as
 * {@code raw_data}. The message layout follows onnx.proto (field numbers below); the wire encoding
 * is protobuf's own {@link CodedOutputStream}, so no generated classes are needed.
 */
public final class OnnxGraph {

    /** ONNX TensorProto.DataType values. */
    static final int FLOAT = 1;
    static final int UINT8 = 2;
    static final int INT8 = 3;
    static final int INT32 = 6;

    /** A node attribute value: Long, Float, long[] or String. */
    record Node(String opType, String name, List<String> inputs, List<String> outputs, Map<String, Object> attributes) {}

    record Initializer(String name, long[] dims, int dataType, byte[] littleEndian) {}

    /** dims: Long (fixed) or String (symbolic, e.g. "batch"). */
    record ValueInfo(String name, List<Object> dims) {}

    private final String name;
    private final List<Node> nodes = new ArrayList<>();
    private final Map<String, Initializer> initializers = new LinkedHashMap<>();
    private final List<ValueInfo> inputs = new ArrayList<>();
    private final List<ValueInfo> outputs = new ArrayList<>();
    private int counter;

    public OnnxGraph(String name) {
        this.name = name;
    }

    public void input(String name, List<Object> dims) {
        inputs.add(new ValueInfo(name, List.copyOf(dims)));
    }

    public void output(String name, List<Object> dims) {
        outputs.add(new ValueInfo(name, List.copyOf(dims)));
    }

    /** A float constant; returns its name. */
    public String floats(String name, long[] dims, float[] values) {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        if (n != values.length) {
            throw new IllegalArgumentException(name + ": " + values.length + " values for dims " + java.util.Arrays.toString(dims));
        }
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return initializer(new Initializer(name, dims.clone(), FLOAT, b.array()));
    }

    /** A constant of any element type, given as little-endian bytes; returns its name. */
    String constant(String name, long[] dims, int dataType, byte[] littleEndian) {
        return initializer(new Initializer(name, dims.clone(), dataType, littleEndian.clone()));
    }

    /** The float values of a float constant (the exporter's weights, for the quantizer). */
    float[] floatValues(String name) {
        Initializer i = initializers.get(name);
        if (i == null || i.dataType() != FLOAT) {
            throw new IllegalArgumentException("no float constant " + name);
        }
        float[] v = new float[i.littleEndian().length / 4];
        ByteBuffer.wrap(i.littleEndian()).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        return v;
    }

    /** Dimensions of a constant. */
    long[] constantDims(String name) {
        return initializers.get(name).dims().clone();
    }

    boolean isConstant(String name) {
        return initializers.containsKey(name);
    }

    /** Adds a node whose outputs are named by the caller. */
    void add(Node node) {
        nodes.add(node);
    }

    String name() {
        return name;
    }

    List<ValueInfo> inputs() {
        return List.copyOf(inputs);
    }

    List<ValueInfo> outputs() {
        return List.copyOf(outputs);
    }

    private String initializer(Initializer i) {
        if (initializers.putIfAbsent(i.name(), i) != null) {
            throw new IllegalArgumentException("initializer " + i.name() + " defined twice");
        }
        return i.name();
    }

    /** Adds a node with one output, named after {@code hint}; returns the output's name. */
    public String node(String opType, String hint, List<String> in, Map<String, Object> attributes) {
        String out = hint + "_" + (counter++);
        nodes.add(new Node(opType, out, List.copyOf(in), List.of(out), new LinkedHashMap<>(attributes)));
        return out;
    }

    /** Renames the last node's output (the graph output must carry its declared name). */
    public void renameLastOutput(String newName) {
        Node last = nodes.remove(nodes.size() - 1);
        nodes.add(new Node(last.opType(), last.name(), last.inputs(), List.of(newName), last.attributes()));
    }

    public List<Node> nodes() {
        return List.copyOf(nodes);
    }

    public int initializerCount() {
        return initializers.size();
    }

    /**
     * The serialised {@code ModelProto}.
     *
     * @param opset the default-domain operator set the nodes use
     * @param metadata {@code metadata_props}: free-form key/value pairs kept with the model
     */
    public byte[] toModelProto(int opset, String producerVersion, Map<String, String> metadata) {
        Message model = new Message();
        model.int64(1, irVersion(opset));
        model.string(2, "resnet4j");
        model.string(3, producerVersion);
        model.message(7, graphProto());
        Message opsetId = new Message();
        opsetId.string(1, "");
        opsetId.int64(2, opset);
        model.message(8, opsetId);
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            Message kv = new Message();
            kv.string(1, e.getKey());
            kv.string(2, e.getValue());
            model.message(14, kv);
        }
        return model.bytes().toByteArray();
    }

    /** The IR version that introduced an opset (onnx/docs/Versioning.md), so older runtimes accept the file. */
    static long irVersion(int opset) {
        if (opset <= 14) {
            return 7;
        }
        if (opset <= 18) {
            return 8;
        }
        return 9;
    }

    private Message graphProto() {
        Message g = new Message();
        for (Node n : nodes) {
            g.message(1, nodeProto(n));
        }
        g.string(2, name);
        for (Initializer i : initializers.values()) {
            Message t = new Message();
            for (long d : i.dims()) {
                t.int64(1, d);
            }
            t.int32(2, i.dataType());
            t.string(8, i.name());
            t.bytes(9, ByteString.copyFrom(i.littleEndian()));
            g.message(5, t);
        }
        for (ValueInfo v : inputs) {
            g.message(11, valueInfo(v));
        }
        for (ValueInfo v : outputs) {
            g.message(12, valueInfo(v));
        }
        return g;
    }

    private static Message nodeProto(Node n) {
        Message m = new Message();
        for (String in : n.inputs()) {
            m.string(1, in);
        }
        for (String out : n.outputs()) {
            m.string(2, out);
        }
        m.string(3, n.name());
        m.string(4, n.opType());
        for (Map.Entry<String, Object> a : n.attributes().entrySet()) {
            Message attr = new Message();
            attr.string(1, a.getKey());
            Object v = a.getValue();
            // AttributeProto.type: FLOAT 1, INT 2, STRING 3, INTS 7.
            if (v instanceof Float f) {
                attr.float32(2, f);
                attr.int32(20, 1);
            } else if (v instanceof Long l) {
                attr.int64(3, l);
                attr.int32(20, 2);
            } else if (v instanceof Integer i) {
                attr.int64(3, i);
                attr.int32(20, 2);
            } else if (v instanceof String s) {
                attr.string(4, s);
                attr.int32(20, 3);
            } else if (v instanceof long[] ls) {
                for (long l : ls) {
                    attr.int64(8, l);
                }
                attr.int32(20, 7);
            } else {
                throw new IllegalArgumentException("attribute " + a.getKey() + " has unsupported type " + v.getClass());
            }
            m.message(5, attr);
        }
        return m;
    }

    private static Message valueInfo(ValueInfo v) {
        Message shape = new Message();
        for (Object d : v.dims()) {
            Message dim = new Message();
            if (d instanceof String s) {
                dim.string(2, s);
            } else {
                dim.int64(1, ((Number) d).longValue());
            }
            shape.message(1, dim);
        }
        Message tensor = new Message();
        tensor.int32(1, FLOAT);
        tensor.message(2, shape);
        Message type = new Message();
        type.message(1, tensor);
        Message info = new Message();
        info.string(1, v.name());
        info.message(2, type);
        return info;
    }

    /** One protobuf message being written: fields in the order they are added. */
    private static final class Message {
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        private final CodedOutputStream out = CodedOutputStream.newInstance(buffer);

        void int64(int field, long v) {
            run(() -> out.writeInt64(field, v));
        }

        void int32(int field, int v) {
            run(() -> out.writeInt32(field, v));
        }

        void float32(int field, float v) {
            run(() -> out.writeFloat(field, v));
        }

        void string(int field, String v) {
            run(() -> out.writeString(field, v));
        }

        void bytes(int field, ByteString v) {
            run(() -> out.writeBytes(field, v));
        }

        void message(int field, Message m) {
            bytes(field, m.bytes());
        }

        ByteString bytes() {
            run(out::flush);
            return ByteString.copyFrom(buffer.toByteArray());
        }

        private static void run(IoAction a) {
            try {
                a.run();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private interface IoAction {
            void run() throws IOException;
        }
    }
}
