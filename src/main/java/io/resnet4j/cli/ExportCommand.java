package io.resnet4j.cli;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.resnet4j.io.AtomicFiles;
import io.resnet4j.io.PrintableText;
import io.resnet4j.io.WeightsLoader;
import io.resnet4j.model.ResNet;
import io.resnet4j.model.ResNetConfig;
import io.resnet4j.onnx.OnnxExporter;
import io.resnet4j.onnx.OnnxRuntimeModel;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code resnet4j export --format onnx}: a trained network as an ONNX inference graph (batch norm
 * folded into the convolutions), checked against the eager network before the file is written.
 */
@Command(name = "export", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, sortOptions = false,
        description = {"Export a network for deployment: ONNX (opset 13), input 'input' (N, 3, H, W) preprocessed as the"
                + " checkpoint says, output 'logits' (N, classes); batch norm folded into the convolutions.",
            "The class names, preprocessing and architecture travel in the model's metadata, so"
                + " 'resnet4j predict --weights MODEL.onnx' needs nothing else.",
            "Before writing, ONNX Runtime runs the exported graph on random input and its logits are compared with"
                + " the eager network's (relative difference must be below 1e-4)."})
public final class ExportCommand implements Callable<Integer> {

    /** Relative tolerance of the export check: the "identical to 1e-4". */
    static final double TOLERANCE = 1e-4;

    @CommandLine.Mixin
    WeightsSelection weights;

    @Option(names = "--format", defaultValue = "onnx", paramLabel = "onnx",
            description = "Output format (default: ${DEFAULT-VALUE}; the only one so far).")
    String format;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Where to write (default: MODEL.onnx).")
    Path output;

    @Option(names = "--no-fold-bn", description = "Keep batch norms as BatchNormalization nodes (for inspection).")
    boolean noFold;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "0",
            description = "Fix the input shape to (N, 3, S, S), S the model's input size, for a deployment with a"
                    + " known batch (ONNX Runtime plans memory statically; default: 0, any batch and image size).")
    int batchSize;

    @Option(names = "--opset", defaultValue = "" + OnnxExporter.DEFAULT_OPSET,
            description = "ONNX operator set (default: ${DEFAULT-VALUE}).")
    int opset;

    @Option(names = "--no-check", description = "Skip running the export in ONNX Runtime against the eager network.")
    boolean noCheck;

    @Option(names = "--force", description = "Overwrite an existing output file.")
    boolean force;

    @CommandLine.Mixin
    EngineOptions engine;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!"onnx".equals(format.toLowerCase(Locale.ROOT))) {
            throw new UsageException("unknown --format '" + format + "': resnet4j exports onnx (checkpoints are written"
                    + " by 'resnet4j convert')");
        }
        OnnxExporter.Options options;
        try {
            options = new OnnxExporter.Options(!noFold, batchSize, opset);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        Device device = engine.apply();
        PrintWriter out = spec.commandLine().getOut();
        try (NDManager manager = NDManager.newBaseManager(device)) {
            WeightsLoader.Loaded loaded = weights.load(manager);
            ResNet net = loaded.net();
            ResNetConfig config = net.config();
            Path file = output != null ? output : Path.of(config.spec().name() + ".onnx");
            if (Files.exists(file) && !force) {
                throw new UsageException(file + " exists; choose another --output or add --force to overwrite it");
            }
            byte[] onnx = OnnxExporter.export(net, loaded.classNames(), loaded.preprocessing(), options,
                    VersionProvider.version());
            String check = "not checked (--no-check)";
            if (!noCheck) {
                check = verify(net, onnx, manager, batchSize > 0 ? batchSize : 2);
            }
            AtomicFiles.write(file, onnx);
            out.printf(Locale.ROOT, "wrote %s: %s from %s, %s parameters, %s, opset %d, %.1f MB; %s%n",
                    PrintableText.of(file), PrintableText.of(config.spec().name()), PrintableText.of(weights.weights), Format.count(net.parameterCount()),
                    noFold ? "batch norm kept" : "batch norm folded", opset, onnx.length / 1e6, check);
            out.flush();
            return 0;
        }
    }

    /** Runs both engines on the same random batch; refuses to write an export that computes something else. */
    private String verify(ResNet net, byte[] onnx, NDManager manager, int n) {
        int size = net.config().inputSize();
        Engine.getInstance().setRandomSeed(1);
        NDArray x = manager.randomNormal(0, 1, new Shape(n, 3, size, size), DataType.FLOAT32);
        float[] eager = net.forward(new ParameterStore(manager, false), new NDList(x), false).singletonOrThrow()
                .toFloatArray();
        float[] ort;
        try (OnnxRuntimeModel m = OnnxRuntimeModel.load(onnx, engine.threads())) {
            ort = m.logits(x.toFloatArray(), n, size);
        }
        double scale = 1e-12;
        double diff = 0;
        for (int i = 0; i < eager.length; i++) {
            scale = Math.max(scale, Math.abs(eager[i]));
            diff = Math.max(diff, Math.abs(eager[i] - ort[i]));
        }
        double relative = diff / scale;
        if (!(relative < TOLERANCE)) {
            throw new IllegalStateException(String.format(Locale.ROOT, "the export does not reproduce the network:"
                    + " max |logit difference| %.3g is %.3g of the largest logit (limit %.0e); nothing was written",
                    diff, relative, TOLERANCE));
        }
        return String.format(Locale.ROOT, "checked in ONNX Runtime: max |logit difference| %.2g (%.1g relative)",
                diff, relative);
    }
}
