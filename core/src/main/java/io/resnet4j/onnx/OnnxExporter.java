package io.resnet4j.onnx;

import ai.djl.nn.Parameter;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.resnet4j.io.ModelConfigJson;
import io.resnet4j.image.Preprocessing;
import io.resnet4j.model.ResNet;
import io.resnet4j.model.ResNetConfig;
import io.resnet4j.model.ResNetPlan;
import io.resnet4j.model.ResNetSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a ResNet as an ONNX inference graph (input {@code input} (N, 3, H, W), output
 * {@code logits} (N, classes)), built from the same {@link ResNetPlan} the DJL network comes from
 * and the weights of its {@link ResNet#stateDict()}.
 *
 * <p>With {@link Options#foldBatchNorm()} (the default) every batch norm that directly follows a
 * convolution is folded into it: {@code W' = W * g / sqrt(v + eps)}, {@code b' = beta - m * g /
 * sqrt(v + eps)}, computed in double precision. That removes a full pass over every feature map.
 * Batch norms that follow an addition (the pre-activation nets' unit inputs and final norm) stay
 * {@code BatchNormalization} nodes. Option A shortcuts (every second pixel, zero channels split
 * evenly before/after, as {@link io.resnet4j.model.ResidualUnit}) are an exact 0/1 convolution.
 */
public final class OnnxExporter {

    /** Operator set 13: what this exporter is tested with; ONNX Runtime 1.8+ runs it. */
    public static final int DEFAULT_OPSET = 13;

    /** Names of the graph's input and output. */
    public static final String INPUT = "input";
    public static final String OUTPUT = "logits";
    /** The pooled penultimate features (N, channels): the embeddings of {@code features}. */
    public static final String FEATURES = "features";

    /** Metadata keys (ModelProto.metadata_props). */
    public static final String META_CONFIG = "resnet4j.config";
    public static final String META_CLASS_NAMES = "resnet4j.class_names";
    public static final String META_PREPROCESSING = "resnet4j.preprocessing";
    public static final String META_BN_FOLDED = "resnet4j.batch_norm_folded";

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param foldBatchNorm fold post-convolution batch norms into the convolutions
     * @param fixedBatch a fixed batch size (the input shape is then fixed to (N, 3, S, S)), or 0 for
     *     symbolic batch, height and width
     */
    public record Options(boolean foldBatchNorm, int fixedBatch, int opset) {
        public static Options defaults() {
            return new Options(true, 0, DEFAULT_OPSET);
        }

        public Options {
            if (fixedBatch < 0) {
                throw new IllegalArgumentException("batch size must be positive (or 0 for any), got " + fixedBatch);
            }
            if (opset < 13) {
                throw new IllegalArgumentException("opset " + opset + " is not supported: resnet4j writes opset 13"
                        + " or newer (ONNX Runtime 1.8+, every current runtime)");
            }
        }
    }

    private final ResNet net;
    private final Map<String, Parameter> weights;
    private final Options options;
    private final OnnxGraph graph;
    private final double epsilon = ResNet.BN_EPSILON;

    private OnnxExporter(ResNet net, Options options) {
        this.net = net;
        this.weights = net.stateDict();
        this.options = options;
        this.graph = new OnnxGraph(net.config().spec().name());
    }

    /** The serialised ONNX model; {@code classNames} and {@code preprocessing} go into its metadata (null to omit). */
    public static byte[] export(ResNet net, List<String> classNames, Preprocessing preprocessing, Options options,
            String producerVersion) {
        OnnxExporter e = new OnnxExporter(net, options);
        e.build();
        return e.graph.toModelProto(options.opset(), producerVersion, metadata(net, classNames, preprocessing, options));
    }

    /** What travels with an export: architecture, class names, preprocessing, whether BN is folded. */
    static Map<String, String> metadata(ResNet net, List<String> classNames, Preprocessing preprocessing,
            Options options) {
        Map<String, String> meta = new LinkedHashMap<>();
        try {
            meta.put(META_CONFIG, JSON.writeValueAsString(ModelConfigJson.toJson(net.config())));
            if (classNames != null) {
                meta.put(META_CLASS_NAMES, JSON.writeValueAsString(classNames));
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
        if (preprocessing != null) {
            meta.put(META_PREPROCESSING, preprocessing.toJson());
        }
        meta.put(META_BN_FOLDED, String.valueOf(options.foldBatchNorm()));
        return meta;
    }

    /** The graph alone (for tests that inspect its nodes). */
    static OnnxGraph graph(ResNet net, Options options) {
        OnnxExporter e = new OnnxExporter(net, options);
        e.build();
        return e.graph;
    }

    private void build() {
        ResNetConfig config = net.config();
        ResNetSpec spec = config.spec();
        ResNetPlan plan = config.plan();
        Object batch = options.fixedBatch() > 0 ? (Object) (long) options.fixedBatch() : "batch";
        // Height and width stay symbolic unless the batch is fixed: the graph is fully convolutional up
        // to the global pooling, so any crop size runs (predict --crop), as in the eager network.
        long size = config.inputSize();
        graph.input(INPUT, options.fixedBatch() > 0 ? List.of(batch, 3L, size, size)
                : List.of(batch, 3L, "height", "width"));

        String h = INPUT;
        ResNetPlan.ConvPlan stem = plan.stemConv();
        if (spec.stemNorm()) {
            h = convBn(h, "conv1", stem, "bn1");
            h = relu(h);
        } else {
            h = conv(h, "conv1", stem);
        }
        if (spec.stem().maxPool()) {
            h = graph.node("MaxPool", "maxpool", List.of(h), attrs("kernel_shape", new long[] {3, 3},
                    "strides", new long[] {2, 2}, "pads", new long[] {1, 1, 1, 1}));
        }
        for (ResNetPlan.UnitPlan u : plan.units()) {
            h = spec.preActivation() ? preActivationUnit(h, u) : postActivationUnit(h, u);
        }
        if (spec.preActivation()) {
            h = relu(batchNorm(h, "norm"));
        }
        h = graph.node("GlobalAveragePool", "pool", List.of(h), Map.of());
        graph.node("Flatten", "flatten", List.of(h), attrs("axis", 1L));
        graph.renameLastOutput(FEATURES);
        h = FEATURES;
        String w = graph.floats("fc.weight", new long[] {config.classes(), plan.featureChannels()}, values("fc.weight"));
        String b = graph.floats("fc.bias", new long[] {config.classes()}, values("fc.bias"));
        graph.node("Gemm", "fc", List.of(h, w, b), attrs("transB", 1L));
        graph.renameLastOutput(OUTPUT);
        graph.output(OUTPUT, List.of(batch, (long) config.classes()));
        graph.output(FEATURES, List.of(batch, (long) plan.featureChannels()));
    }

    /** conv_i -> BN_i (-> ReLU) ...; + shortcut(x); ReLU. */
    private String postActivationUnit(String x, ResNetPlan.UnitPlan u) {
        String h = x;
        List<ResNetPlan.ConvPlan> convs = u.convs();
        for (int i = 0; i < convs.size(); i++) {
            ResNetPlan.ConvPlan c = convs.get(i);
            h = convBn(h, u.name() + "." + c.name(), c, u.name() + ".bn" + (i + 1));
            if (i < convs.size() - 1) {
                h = relu(h);
            }
        }
        if (u.shortcut() != ResNetPlan.ShortcutKind.NONE) {
            String s = switch (u.shortcut()) {
                case IDENTITY -> x;
                case SUBSAMPLE_PAD -> subsampleAndPad(x, u);
                case PROJECTION -> convBn(x, u.name() + ".downsample.0", u.projection(), u.name() + ".downsample.1");
                default -> throw new IllegalStateException(u.shortcut().toString());
            };
            h = graph.node("Add", u.name() + ".add", List.of(h, s), Map.of());
        }
        return relu(h);
    }

    /** a = ReLU(BN_1(x)); conv_1(a) -> BN_2 -> ReLU -> conv_2 ...; + shortcut(x, or a for projections). */
    private String preActivationUnit(String x, ResNetPlan.UnitPlan u) {
        String a = relu(batchNorm(x, u.name() + ".bn1"));
        String h = a;
        List<ResNetPlan.ConvPlan> convs = u.convs();
        for (int i = 0; i < convs.size(); i++) {
            ResNetPlan.ConvPlan c = convs.get(i);
            String name = u.name() + "." + c.name();
            if (i < convs.size() - 1) {
                // conv_i is followed by bn_{i+1} and a ReLU: that norm folds into conv_i.
                h = relu(convBn(h, name, c, u.name() + ".bn" + (i + 2)));
            } else {
                h = conv(h, name, c);
            }
        }
        if (u.shortcut() == ResNetPlan.ShortcutKind.NONE) {
            return h;
        }
        String s = switch (u.shortcut()) {
            case IDENTITY -> x;
            case SUBSAMPLE_PAD -> subsampleAndPad(x, u);
            case PROJECTION -> conv(a, u.name() + ".downsample.0", u.projection());
            default -> throw new IllegalStateException(u.shortcut().toString());
        };
        return graph.node("Add", u.name() + ".add", List.of(h, s), Map.of());
    }

    /**
     * Option A where dimensions change, as a 1x1 convolution with stride 2 whose weight embeds the
     * input channels in the middle of the output channels (identity block, zeros elsewhere): the
     * same numbers as subsampling and zero-padding (x * 1 plus exact zeros), but it stays in ONNX
     * Runtime's blocked convolution layout, where Slice and Pad force two layout reorders each
     * (measured on ResNet-20, batch 256: 10% of the run).
     */
    private String subsampleAndPad(String x, ResNetPlan.UnitPlan u) {
        int in = u.inChannels();
        int out = u.outChannels();
        int before = (out - in) / 2;
        float[] w = new float[out * in];
        for (int c = 0; c < in; c++) {
            w[(before + c) * in + c] = 1f;
        }
        String p = u.name() + ".shortcut";
        String wName = graph.floats(p + ".embed", new long[] {out, in, 1, 1}, w);
        return graph.node("Conv", p, List.of(x, wName), attrs("kernel_shape", new long[] {1, 1},
                "strides", new long[] {u.stride(), u.stride()}, "pads", new long[] {0, 0, 0, 0}));
    }

    /** A convolution followed by batch norm {@code bn}: folded, or as two nodes. */
    private String convBn(String x, String convName, ResNetPlan.ConvPlan c, String bn) {
        if (!options.foldBatchNorm()) {
            return batchNorm(conv(x, convName, c), bn);
        }
        float[] w = values(convName + ".weight");
        float[] gamma = values(bn + ".weight");
        float[] beta = values(bn + ".bias");
        float[] mean = values(bn + ".running_mean");
        float[] var = values(bn + ".running_var");
        int out = c.outChannels();
        int per = w.length / out;
        float[] folded = new float[w.length];
        float[] bias = new float[out];
        for (int o = 0; o < out; o++) {
            double scale = gamma[o] / Math.sqrt(var[o] + epsilon);
            for (int k = 0; k < per; k++) {
                folded[o * per + k] = (float) (w[o * per + k] * scale);
            }
            bias[o] = (float) (beta[o] - mean[o] * scale);
        }
        String wName = graph.floats(convName + ".weight", convShape(c), folded);
        String bName = graph.floats(convName + ".bias", new long[] {out}, bias);
        return convNode(x, convName, c, List.of(x, wName, bName));
    }

    private String conv(String x, String convName, ResNetPlan.ConvPlan c) {
        String wName = graph.floats(convName + ".weight", convShape(c), values(convName + ".weight"));
        return convNode(x, convName, c, List.of(x, wName));
    }

    private String convNode(String x, String convName, ResNetPlan.ConvPlan c, List<String> inputs) {
        long k = c.kernel();
        long p = c.padding();
        return graph.node("Conv", convName, inputs, attrs("kernel_shape", new long[] {k, k},
                "strides", new long[] {c.stride(), c.stride()}, "pads", new long[] {p, p, p, p}));
    }

    private String batchNorm(String x, String bn) {
        List<String> in = new ArrayList<>(List.of(x));
        for (String suffix : List.of("weight", "bias", "running_mean", "running_var")) {
            float[] v = values(bn + "." + suffix);
            in.add(graph.floats(bn + "." + suffix, new long[] {v.length}, v));
        }
        return graph.node("BatchNormalization", bn, in, attrs("epsilon", (float) epsilon));
    }

    private String relu(String x) {
        return graph.node("Relu", "relu", List.of(x), Map.of());
    }

    private static long[] convShape(ResNetPlan.ConvPlan c) {
        return new long[] {c.outChannels(), c.inChannels(), c.kernel(), c.kernel()};
    }

    private float[] values(String name) {
        Parameter p = weights.get(name);
        if (p == null || p.getArray() == null) {
            throw new IllegalStateException("the network has no initialised tensor " + name
                    + "; initialise or load weights before exporting");
        }
        return p.getArray().toFloatArray();
    }

    private static Map<String, Object> attrs(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
