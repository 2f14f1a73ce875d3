package io.resnet4j.onnx;

import io.resnet4j.image.Preprocessing;
import io.resnet4j.model.ResNet;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Static INT8 quantisation of an exported ResNet in ONNX's QDQ form, the layout ONNX Runtime
 * fuses into integer kernels (QLinearConv, QLinearAdd, QLinearGlobalAveragePool, QGemm):
 *
 * <ul>
 *   <li>weights per output channel, symmetric int8 (scale {@code max|W[c]| / 127}), after batch
 *       norm is folded into the convolutions; biases int32 at scale {@code s_x * s_w[c]};
 *   <li>activations per tensor, asymmetric uint8, their ranges calibrated on real images: min/max,
 *       or a percentile of each tensor's histogram (outliers clipped, finer steps for the rest);
 *   <li>a ReLU after a convolution or an addition disappears: that tensor is quantised with its
 *       post-ReLU range, whose zero point 0 clamps the negatives exactly as the ReLU would.
 * </ul>
 *
 * <p>Only post-activation networks qualify (every batch norm folded): a pre-activation unit's batch
 * norm sits on an addition's output, where no integer kernel can absorb it.
 */
public final class Int8Quantizer {

    /** How an activation's range is read off the calibration images. */
    public enum Calibration {
        MINMAX, PERCENTILE;

        public static Calibration parse(String s) {
            return switch (s.trim().toLowerCase(Locale.ROOT)) {
                case "minmax", "min-max", "max" -> MINMAX;
                case "percentile" -> PERCENTILE;
                default -> throw new IllegalArgumentException("unknown calibration '" + s
                        + "': use minmax or percentile");
            };
        }
    }

    /**
     * @param calibration how ranges are chosen
     * @param percentile for {@link Calibration#PERCENTILE}: the share of each tensor's values (in %)
     *     that stays inside its range
     */
    public record Options(Calibration calibration, double percentile, Set<String> floatNodes) {
        public static Options defaults() {
            return new Options(Calibration.PERCENTILE, 99.999);
        }

        public Options(Calibration calibration, double percentile) {
            this(calibration, percentile, Set.of());
        }

        /**
         * @param floatNodes convolutions and additions whose outputs stay float, by name: a node
         *     ({@code layer4.1.conv2}, {@code layer4.1.add}), a unit ({@code layer4.1}) or a stage
         *     ({@code layer4}); they, and the nodes that read them, run in float, trading speed for
         *     fidelity where tensors quantise badly
         */
        public Options {
            if (!(percentile > 50 && percentile <= 100)) {
                throw new IllegalArgumentException("percentile must be in (50, 100], got " + percentile);
            }
            floatNodes = floatNodes.stream().map(String::trim).collect(java.util.stream.Collectors.toUnmodifiableSet());
            if (floatNodes.contains("")) {
                throw new IllegalArgumentException("a float layer's name is empty; name a stage (layer4), a unit"
                        + " (layer4.1) or one node (layer4.1.conv2, layer4.1.add)");
            }
        }

        public Options withFloatNodes(Set<String> nodes) {
            return new Options(calibration, percentile, nodes);
        }
    }

    /** Preprocessed calibration images, NCHW. */
    public record Batch(float[] input, int n, int height, int width) {}

    /** Metadata key: the numeric precision of an export. */
    public static final String META_PRECISION = "resnet4j.precision";

    private static final int HISTOGRAM_BINS = 2048;

    private final OnnxGraph fp32;
    private final List<OnnxGraph.Node> nodes;
    private final Map<String, List<OnnxGraph.Node>> consumers = new HashMap<>();
    private final Map<String, OnnxGraph.Node> producers = new HashMap<>();
    /** A removed ReLU's output -> its input: both name the same quantised tensor. */
    private final Map<String, String> alias = new HashMap<>();
    /** Quantised tensor -> the float tensor whose values calibrate it (the ReLU's output for fused ones). */
    private final Map<String, String> observed = new LinkedHashMap<>();
    /** Tensors that reuse their input's scale (max pooling and flattening do not change values). */
    private final Map<String, String> sharesInput = new HashMap<>();
    private final Map<String, QuantParams> params = new HashMap<>();
    /** Tensors left unquantised (outputs of the float nodes asked for). */
    private final Set<String> floatTensors = new java.util.HashSet<>();

    private Int8Quantizer(OnnxGraph fp32) {
        this.fp32 = fp32;
        this.nodes = fp32.nodes();
        for (OnnxGraph.Node n : nodes) {
            for (String in : n.inputs()) {
                consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
            }
            n.outputs().forEach(o -> producers.put(o, n));
        }
    }

    /**
     * The network as an INT8 QDQ model, calibrated on {@code calibration}.
     *
     * @param exportOptions the FP32 export's options (batch norm must be folded)
     * @param threads ONNX Runtime threads for the calibration passes
     */
    public static byte[] export(ResNet net, List<String> classNames, Preprocessing preprocessing,
            OnnxExporter.Options exportOptions, List<Batch> calibration, Options options, int threads,
            String producerVersion) {
        if (!exportOptions.foldBatchNorm()) {
            throw new IllegalArgumentException("INT8 export folds batch norm into the convolutions; do not keep it");
        }
        if (calibration.isEmpty()) {
            throw new IllegalArgumentException("INT8 export needs calibration images; none were given");
        }
        Int8Quantizer q = new Int8Quantizer(OnnxExporter.graph(net, exportOptions));
        q.keepFloat(options.floatNodes());
        q.plan();
        // Calibration batches come in any size: measure on the graph with a symbolic batch (the same
        // nodes and tensor names, built the same way), whatever batch the export fixes.
        OnnxExporter.Options anyBatch = new OnnxExporter.Options(true, 0, exportOptions.opset());
        q.calibrate(OnnxExporter.graph(net, anyBatch), calibration, options, threads, exportOptions.opset());
        Map<String, String> meta = OnnxExporter.metadata(net, classNames, preprocessing, exportOptions);
        meta.put(META_PRECISION, "int8");
        meta.put("resnet4j.calibration", String.format(Locale.ROOT, "%s%s on %d images",
                options.calibration().name().toLowerCase(Locale.ROOT),
                options.calibration() == Calibration.PERCENTILE ? " " + options.percentile() : "",
                calibration.stream().mapToInt(Batch::n).sum()));
        if (!options.floatNodes().isEmpty()) {
            meta.put("resnet4j.float_nodes", String.join(",", new java.util.TreeSet<>(options.floatNodes())));
        }
        return q.quantizedGraph().toModelProto(exportOptions.opset(), producerVersion, meta);
    }

    /**
     * How closely an INT8 model follows its FP32 original on some images.
     *
     * @param agreeing images whose top-1 class is the same in both
     * @param images images compared
     * @param maxLogitDifference the largest absolute logit difference
     */
    public record Agreement(int agreeing, int images, double maxLogitDifference) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "top-1 agrees with FP32 on %d of %d images (%.1f%%), max |logit"
                    + " difference| %.3g", agreeing, images, 100.0 * agreeing / images, maxLogitDifference);
        }
    }

    /** Runs both models on the batches and compares their top-1 classes and logits. */
    public static Agreement agreement(byte[] fp32Model, byte[] int8Model, List<Batch> batches, int threads) {
        int agreeing = 0;
        int images = 0;
        double maxDiff = 0;
        try (OnnxRuntimeModel a = OnnxRuntimeModel.load(fp32Model, threads);
                OnnxRuntimeModel b = OnnxRuntimeModel.load(int8Model, threads)) {
            for (Batch batch : batches) {
                float[] x = a.logits(batch.input(), batch.n(), batch.height(), batch.width());
                float[] y = b.logits(batch.input(), batch.n(), batch.height(), batch.width());
                int classes = x.length / batch.n();
                for (int i = 0; i < batch.n(); i++) {
                    agreeing += argMax(x, i * classes, classes) == argMax(y, i * classes, classes) ? 1 : 0;
                }
                for (int i = 0; i < x.length; i++) {
                    maxDiff = Math.max(maxDiff, Math.abs(x[i] - y[i]));
                }
                images += batch.n();
            }
        }
        return new Agreement(agreeing, images, maxDiff);
    }

    private static int argMax(float[] v, int offset, int n) {
        int best = 0;
        for (int j = 1; j < n; j++) {
            if (v[offset + j] > v[offset + best]) {
                best = j;
            }
        }
        return best;
    }

    private void keepFloat(Set<String> nodeNames) {
        Set<String> unknown = new LinkedHashSet<>(nodeNames);
        for (OnnxGraph.Node n : nodes) {
            // Node names carry the exporter's counter (layer4.1.add_39); users name the layer.
            String layer = n.name().replaceFirst("_\\d+$", "");
            if (!Set.of("Conv", "Add").contains(n.opType())) {
                continue;
            }
            for (String asked : nodeNames) {
                if (layer.equals(asked) || layer.startsWith(asked + ".")) {
                    floatTensors.add(n.outputs().get(0));
                    unknown.remove(asked);
                }
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("no convolution or addition named " + String.join(", ", unknown)
                    + " in this network; name a stage (layer4), a unit (layer4.1) or one node (layer4.1.conv2,"
                    + " layer4.1.add)");
        }
    }

    /** Decides which tensors are quantised, which ReLUs fuse away, and what calibrates each tensor. */
    private void plan() {
        String input = fp32.inputs().get(0).name();
        observed.put(input, input);
        for (OnnxGraph.Node n : nodes) {
            String out = n.outputs().get(0);
            switch (n.opType()) {
                case "BatchNormalization" -> throw new IllegalArgumentException("INT8 export supports networks whose"
                        + " batch norms all fold into convolutions; pre-activation networks are not supported");
                case "Relu" -> planRelu(n);
                case "Conv", "Add", "GlobalAveragePool" -> observed.put(out, out);
                case "MaxPool", "Flatten" -> sharesInput.put(out, resolve(n.inputs().get(0)));
                case "Gemm" -> { } // the logits stay float
                default -> throw new IllegalArgumentException("INT8 export does not handle " + n.opType() + " nodes");
            }
        }
    }

    private void planRelu(OnnxGraph.Node relu) {
        String in = relu.inputs().get(0);
        OnnxGraph.Node producer = producers.get(in);
        boolean fusable = producer != null && Set.of("Conv", "Add").contains(producer.opType())
                && consumers.get(in).size() == 1 && !floatTensors.contains(in);
        String out = relu.outputs().get(0);
        if (fusable) {
            alias.put(out, in);
            observed.put(in, out);
        } else {
            observed.put(out, out);
        }
    }

    private String resolve(String tensor) {
        return alias.getOrDefault(tensor, tensor);
    }

    private QuantParams paramsOf(String tensor) {
        String t = resolve(tensor);
        String source = sharesInput.get(t);
        return source != null ? paramsOf(source) : params.get(t);
    }

    // ---------------------------------------------------------------- calibration

    private void calibrate(OnnxGraph measured, List<Batch> batches, Options options, int threads, int opset) {
        Set<String> watched = new LinkedHashSet<>(observed.values());
        watched.remove(fp32.inputs().get(0).name());
        Set<String> declared = new java.util.HashSet<>();
        measured.outputs().forEach(o -> declared.add(o.name()));
        for (String t : watched) {
            if (!declared.contains(t)) {
                measured.output(t, symbolicDims(t));
            }
        }
        byte[] model = measured.toModelProto(opset, "calibration", Map.of());
        Map<String, Histogram> stats = new HashMap<>();
        try (OnnxRuntimeModel m = OnnxRuntimeModel.load(model, threads)) {
            for (Batch b : batches) {
                stats.computeIfAbsent(fp32.inputs().get(0).name(), k -> new Histogram()).range(b.input());
                m.outputs(b.input(), b.n(), b.height(), b.width(), watched)
                        .forEach((k, v) -> stats.computeIfAbsent(k, x -> new Histogram()).range(v));
            }
            if (options.calibration() == Calibration.PERCENTILE) {
                for (Batch b : batches) {
                    m.outputs(b.input(), b.n(), b.height(), b.width(), watched).forEach((k, v) -> stats.get(k).count(v));
                }
            }
        }
        observed.forEach((tensor, source) -> {
            Histogram h = stats.get(source);
            boolean isInput = source.equals(fp32.inputs().get(0).name());
            params.put(tensor, options.calibration() == Calibration.MINMAX || isInput
                    ? QuantParams.of(h.min, h.max) : h.percentileParams(options.percentile()));
        });
    }

    private List<Object> symbolicDims(String tensor) {
        OnnxGraph.Node n = producers.get(tensor);
        int rank = n != null && (n.opType().equals("Flatten") || n.opType().equals("Gemm")) ? 2 : 4;
        List<Object> dims = new ArrayList<>();
        for (int i = 0; i < rank; i++) {
            dims.add(tensor + "_d" + i);
        }
        return dims;
    }

    /** A tensor's value range, then its histogram over that range. */
    private static final class Histogram {
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        long[] bins;
        long total;

        void range(float[] v) {
            for (float x : v) {
                min = Math.min(min, x);
                max = Math.max(max, x);
            }
        }

        void count(float[] v) {
            if (bins == null) {
                bins = new long[HISTOGRAM_BINS];
            }
            double width = Math.max(max - min, 1e-12) / HISTOGRAM_BINS;
            for (float x : v) {
                int b = (int) ((x - min) / width);
                bins[Math.min(HISTOGRAM_BINS - 1, Math.max(0, b))]++;
            }
            total += v.length;
        }

        /** Both tails beyond the percentile are clipped (a non-negative tensor keeps 0 as its floor). */
        QuantParams percentileParams(double percentile) {
            double tail = (100 - percentile) / 100 * total;
            double width = Math.max(max - min, 1e-12) / HISTOGRAM_BINS;
            float hi = max;
            long seen = 0;
            for (int b = HISTOGRAM_BINS - 1; b >= 0; b--) {
                seen += bins[b];
                if (seen > tail) {
                    hi = (float) (min + (b + 1) * width);
                    break;
                }
            }
            float lo = min;
            seen = 0;
            for (int b = 0; b < HISTOGRAM_BINS && min < 0; b++) {
                seen += bins[b];
                if (seen > tail) {
                    lo = (float) (min + b * width);
                    break;
                }
            }
            return QuantParams.of(lo, hi);
        }
    }

    /** uint8 affine parameters: {@code x = scale * (q - zeroPoint)}. */
    record QuantParams(float scale, int zeroPoint) {
        static QuantParams of(float lo, float hi) {
            float rmin = Math.min(0f, lo);
            float rmax = Math.max(0f, hi);
            float scale = (rmax - rmin) / 255f;
            if (!(scale > 0)) {
                return new QuantParams(1f, 0);
            }
            int zp = Math.round(-rmin / scale);
            return new QuantParams(scale, Math.max(0, Math.min(255, zp)));
        }
    }

    // ---------------------------------------------------------------- the QDQ graph

    private OnnxGraph quantizedGraph() {
        OnnxGraph q = new OnnxGraph(fp32.name());
        OnnxGraph.ValueInfo input = fp32.inputs().get(0);
        q.input(input.name(), input.dims());
        Map<String, String> dequantized = new HashMap<>();
        dequantized.put(input.name(), qdq(q, input.name()));
        for (OnnxGraph.Node n : nodes) {
            String out = n.outputs().get(0);
            if (n.opType().equals("Relu") && alias.containsKey(out)) {
                dequantized.put(out, dequantized.get(alias.get(out)));
                continue;
            }
            List<String> inputs = new ArrayList<>();
            for (int i = 0; i < n.inputs().size(); i++) {
                inputs.add(operand(q, n, i, dequantized));
            }
            q.add(new OnnxGraph.Node(n.opType(), n.name(), inputs, List.of(out), n.attributes()));
            if (!n.opType().equals("Gemm")) {
                dequantized.put(out, isQuantised(out) ? qdq(q, out) : out);
            }
        }
        for (OnnxGraph.ValueInfo o : originalOutputs()) {
            q.output(o.name(), o.dims());
        }
        return q;
    }

    private List<OnnxGraph.ValueInfo> originalOutputs() {
        return fp32.outputs();
    }

    /** A node's i-th input in the quantised graph: a dequantised activation, weight or bias. */
    private String operand(OnnxGraph q, OnnxGraph.Node n, int i, Map<String, String> dequantized) {
        String name = n.inputs().get(i);
        if (!fp32.isConstant(name)) {
            return dequantized.get(name);
        }
        if (!isQuantised(n.inputs().get(0))) {
            return q.floats(name + "_float", fp32.constantDims(name), fp32.floatValues(name));
        }
        boolean perChannel = n.opType().equals("Conv");
        if (i == 1) {
            return weight(q, name, perChannel);
        }
        return bias(q, name, paramsOf(n.inputs().get(0)).scale(), weightScales(n.inputs().get(1), perChannel));
    }

    /** Whether a tensor is quantised: not the output of a float node, nor of the ReLU that follows one. */
    private boolean isQuantised(String tensor) {
        String t = resolve(tensor);
        OnnxGraph.Node producer = producers.get(t);
        if (producer != null && producer.opType().equals("Relu")) {
            t = producer.inputs().get(0);
        }
        return !floatTensors.contains(t);
    }

    /** QuantizeLinear then DequantizeLinear of an activation; returns the dequantised tensor's name. */
    private String qdq(OnnxGraph q, String tensor) {
        QuantParams p = paramsOf(tensor);
        String scale = q.constant(tensor + "_scale", new long[0], OnnxGraph.FLOAT, floats(p.scale()));
        String zero = q.constant(tensor + "_zero_point", new long[0], OnnxGraph.UINT8, new byte[] {(byte) p.zeroPoint()});
        q.add(new OnnxGraph.Node("QuantizeLinear", tensor + "_quantize", List.of(tensor, scale, zero),
                List.of(tensor + "_q"), Map.of()));
        q.add(new OnnxGraph.Node("DequantizeLinear", tensor + "_dequantize", List.of(tensor + "_q", scale, zero),
                List.of(tensor + "_dq"), Map.of()));
        return tensor + "_dq";
    }

    private final Map<String, float[]> weightScales = new HashMap<>();

    /** Symmetric int8 scales: per output channel (axis 0) for convolutions, one for the classifier. */
    private float[] weightScales(String name, boolean perChannel) {
        return weightScales.computeIfAbsent(name, k -> {
            float[] w = fp32.floatValues(name);
            int channels = perChannel ? (int) fp32.constantDims(name)[0] : 1;
            int per = w.length / channels;
            float[] scales = new float[channels];
            for (int c = 0; c < channels; c++) {
                float max = 0;
                for (int j = 0; j < per; j++) {
                    max = Math.max(max, Math.abs(w[c * per + j]));
                }
                scales[c] = max > 0 ? max / 127f : 1f;
            }
            return scales;
        });
    }

    private String weight(OnnxGraph q, String name, boolean perChannel) {
        float[] w = fp32.floatValues(name);
        float[] scales = weightScales(name, perChannel);
        int per = w.length / scales.length;
        byte[] quantized = new byte[w.length];
        for (int i = 0; i < w.length; i++) {
            quantized[i] = (byte) Math.max(-127, Math.min(127, Math.round(w[i] / scales[i / per])));
        }
        long[] dims = fp32.constantDims(name);
        long[] scaleDims = perChannel ? new long[] {scales.length} : new long[0];
        String data = q.constant(name + "_int8", dims, OnnxGraph.INT8, quantized);
        String scale = q.constant(name + "_scale", scaleDims, OnnxGraph.FLOAT, floats(scales));
        String zero = q.constant(name + "_zero_point", scaleDims, OnnxGraph.INT8, new byte[scales.length]);
        q.add(new OnnxGraph.Node("DequantizeLinear", name + "_dequantize", List.of(data, scale, zero),
                List.of(name + "_dq"), perChannel ? Map.of("axis", 0L) : Map.of()));
        return name + "_dq";
    }

    /** int32 bias at the scale of input times weight, the accumulator's own scale. */
    private String bias(OnnxGraph q, String name, float inputScale, float[] weightScales) {
        float[] b = fp32.floatValues(name);
        int[] quantized = new int[b.length];
        float[] scales = new float[b.length];
        for (int c = 0; c < b.length; c++) {
            scales[c] = inputScale * weightScales[weightScales.length == 1 ? 0 : c];
            quantized[c] = (int) Math.max(Integer.MIN_VALUE + 1, Math.min(Integer.MAX_VALUE, Math.round((double) b[c] / scales[c])));
        }
        boolean perChannel = weightScales.length > 1;
        long[] dims = perChannel ? new long[] {b.length} : new long[0];
        float[] scaleValues = perChannel ? scales : new float[] {scales[0]};
        String data = q.constant(name + "_int32", new long[] {b.length}, OnnxGraph.INT32, ints(quantized));
        String scale = q.constant(name + "_scale", dims, OnnxGraph.FLOAT, floats(scaleValues));
        String zero = q.constant(name + "_zero_point", dims, OnnxGraph.INT32, ints(new int[scaleValues.length]));
        q.add(new OnnxGraph.Node("DequantizeLinear", name + "_dequantize", List.of(data, scale, zero),
                List.of(name + "_dq"), perChannel ? Map.of("axis", 0L) : Map.of()));
        return name + "_dq";
    }

    private static byte[] floats(float... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        return b.array();
    }

    private static byte[] ints(int... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asIntBuffer().put(v);
        return b.array();
    }
}
