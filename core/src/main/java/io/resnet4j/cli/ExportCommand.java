package io.resnet4j.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.resnet4j.io.AtomicFiles;
import io.resnet4j.io.PrintableText;
import io.resnet4j.io.WeightsLoader;
import io.resnet4j.model.ResNet;
import io.resnet4j.Versions;
import io.resnet4j.image.ImageTransform;
import io.resnet4j.inference.CalibrationSet;
import io.resnet4j.onnx.ExportCheck;
import io.resnet4j.onnx.Int8Quantizer;
import java.io.IOException;
import java.util.List;
import io.resnet4j.onnx.OnnxExporter;
import java.io.PrintWriter;
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
        description = {"Export a network for deployment: ONNX, input 'input' (N, 3, H, W) preprocessed as the"
                + " checkpoint says, output 'logits' (N, classes); batch norm folded into the convolutions.",
            "The class names, preprocessing and architecture travel in the model's metadata, so"
                + " 'resnet4j predict --weights MODEL.onnx' needs nothing else.",
            "Before writing, ONNX Runtime runs the exported graph on random input and its logits are compared with"
                + " the eager network's (relative difference must be below 1e-4)."})
public final class ExportCommand implements Callable<Integer> {

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

    @Option(names = "--opset", paramLabel = "N", defaultValue = "" + OnnxExporter.DEFAULT_OPSET,
            description = "ONNX operator set (default: ${DEFAULT-VALUE}).")
    int opset;

    @Option(names = "--quantize", paramLabel = "int8",
            description = "Write an INT8 model (QDQ: per-channel int8 weights, uint8 activations calibrated on"
                    + " --calibration images) instead of FP32.")
    String quantize;

    @Option(names = "--calibration", paramLabel = "DIR_OR_DATA",
            description = "With --quantize: images that calibrate the activation ranges: a folder of JPEG/PNG"
                    + " images (searched recursively) or CIFAR-10 binary data (its train45k split).")
    Path calibration;

    @Option(names = "--calibration-images", paramLabel = "N", defaultValue = "256",
            description = "With --quantize: calibration images, evenly spaced over the source (default: ${DEFAULT-VALUE}).")
    int calibrationImages;

    @Option(names = "--calibration-method", paramLabel = "minmax|percentile", defaultValue = "percentile",
            description = "With --quantize: each activation's range is its min/max, or the range holding"
                    + " --percentile of its values (default: ${DEFAULT-VALUE}).")
    String calibrationMethod;

    @Option(names = "--percentile", paramLabel = "PERCENT", defaultValue = "99.999",
            description = "With --calibration-method percentile: share of values kept in range (default: ${DEFAULT-VALUE}).")
    double percentile;

    @Option(names = "--keep-float", paramLabel = "LAYER", split = ",",
            description = "With --quantize: stages, units or single convolutions and additions whose outputs stay"
                    + " float (layer4, layer4.1, layer4.1.conv2, layer4.1.add); the nodes reading them run in float"
                    + " with float weights (a kept node whose own input is int8 keeps int8 weights): slower, closer to"
                    + " FP32 where tensors quantise badly.")
    java.util.List<String> keepFloat = new java.util.ArrayList<>();

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
        if (quantize != null && !"int8".equalsIgnoreCase(quantize)) {
            throw new UsageException("unknown --quantize '" + quantize + "': resnet4j quantizes to int8");
        }
        List<String> quantizeOnly = java.util.stream.Stream.of("--calibration", "--calibration-images",
                "--calibration-method", "--percentile", "--keep-float")
                .filter(spec.commandLine().getParseResult()::hasMatchedOption).toList();
        if (quantize == null && !quantizeOnly.isEmpty()) {
            throw new UsageException(String.join(", ", quantizeOnly) + " only apply with --quantize int8: add it, or"
                    + " leave them out for an FP32 export");
        }
        if (quantize != null && calibration == null) {
            throw new UsageException("--quantize int8 needs --calibration DIR_OR_DATA: images like those the model"
                    + " will see (a folder of JPEG/PNG files or CIFAR-10 data)");
        }
        if (output != null) {
            OutputGuard.check(output, force, weights.weights); // before the weights are read and the model exported
        }
        OnnxExporter.Options options = UsageException.rethrow(() -> new OnnxExporter.Options(!noFold, batchSize, opset));
        Device device = engine.apply();
        PrintWriter out = spec.commandLine().getOut();
        try (NDManager manager = NDManager.newBaseManager(device)) {
            WeightsLoader.Loaded loaded = weights.load(manager);
            ResNet net = loaded.net();
            Path file = output != null ? output : Path.of(net.config().spec().name() + ".onnx");
            OutputGuard.check(file, force, weights.weights);
            byte[] onnx = OnnxExporter.export(net, loaded.classNames(), loaded.preprocessing(), options,
                    Versions.resnet4j());
            String check = noCheck ? "not checked (--no-check)"
                    : ExportCheck.run(net, onnx, batchSize > 0 ? batchSize : 2, engine.threads()).toString();
            if (quantize != null) {
                List<Int8Quantizer.Batch> images = calibrationImages(loaded, batchSize > 0 ? batchSize : 16);
                Int8Quantizer.Options quantization = UsageException.rethrow(() -> new Int8Quantizer.Options(
                        Int8Quantizer.Calibration.parse(calibrationMethod), percentile,
                        new java.util.LinkedHashSet<>(keepFloat)));
                // What the quantiser refuses (an unknown --keep-float name, a network it cannot quantise) is the
                // command line's choice.
                byte[] int8 = UsageException.rethrow(() -> Int8Quantizer.export(net, loaded.classNames(),
                        loaded.preprocessing(), options, images, quantization, engine.threads(), Versions.resnet4j()));
                Int8Quantizer.Agreement agreement = noCheck ? null
                        : Int8Quantizer.agreement(onnx, int8, images, engine.threads());
                check = "INT8 calibrated on " + images.stream().mapToInt(Int8Quantizer.Batch::n).sum()
                        + " images; " + (noCheck ? check : agreement)
                        + (agreement != null && keepFloat.isEmpty() && agreement.agreeing() < 0.99 * agreement.images()
                                ? "; below 99%: keeping the last stage float (--keep-float layer"
                                        + net.config().spec().stages() + ") brings it closer, at some speed"
                                : "");
                onnx = int8;
            }
            AtomicFiles.write(file, onnx);
            out.printf(Locale.ROOT, "wrote %s: %s from %s, %s parameters, %s, opset %d, %.1f MB; %s%n",
                    PrintableText.of(file), net.config().spec().name(), PrintableText.of(weights.weights),
                    Format.count(net.parameterCount()),
                    quantize != null ? "int8" : noFold ? "batch norm kept" : "batch norm folded", opset,
                    onnx.length / 1e6, check);
            out.flush();
            return 0;
        }
    }

    private List<Int8Quantizer.Batch> calibrationImages(WeightsLoader.Loaded loaded, int perBatch) throws IOException {
        ImageTransform transform = ImageTransform.of(loaded.preprocessing(), null, null);
        return UsageException.rethrow(() -> CalibrationSet.from(calibration, transform, calibrationImages, perBatch));
    }
}
