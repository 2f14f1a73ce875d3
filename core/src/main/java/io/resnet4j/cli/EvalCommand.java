package io.resnet4j.cli;

import ai.djl.Device;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.resnet4j.data.Cifar10;
import io.resnet4j.data.CifarData;
import io.resnet4j.data.Normalization;
import io.resnet4j.data.Split;
import io.resnet4j.data.ImageFolder;
import io.resnet4j.eval.ClassMapping;
import io.resnet4j.inference.BatchSizes;
import io.resnet4j.eval.Evaluator;
import io.resnet4j.eval.TestProtocols;
import io.resnet4j.inference.ImageClassifier;
import io.resnet4j.image.Preprocessing;
import io.resnet4j.io.PrintableText;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code resnet4j eval}: the paper's CIFAR test protocol (single original view) on a checkpoint, the
 * test protocols on image folders, and with {@code --task detection} a detector's VOC or COCO scores
 * ({@link DetectionEval}).
 */
@Command(name = "eval", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, sortOptions = false,
        description = {"Evaluate weights: top-1 and top-5 error, per-class accuracy, confusion matrix.",
            "CIFAR-10 data: the paper's single-view protocol on a split. Image folders (ROOT/val/<class>/...):"
                    + " --protocol center, ten-crop or multi-scale (the paper's fully-convolutional form)."})
final class EvalCommand implements Callable<Integer> {

    @Option(names = "--weights", required = true, paramLabel = "W",
            description = "A resnet4j checkpoint (e.g. RUN_DIR/model.safetensors) or its .onnx export (also INT8);"
                    + " for image folders also torchvision .pth/.safetensors.")
    Path weights;

    @Option(names = "--engine", defaultValue = "auto", paramLabel = "auto|onnxruntime|pytorch",
            description = "onnxruntime (the network exported in memory with batch norm folded; the fast CPU path),"
                    + " pytorch (eager libtorch), or auto: onnxruntime on CPU, pytorch on GPU (default). A .onnx"
                    + " --weights file runs on onnxruntime.")
    String engineName;

    @Option(names = "--protocol", defaultValue = "center", description = "Image folders: center, ten-crop or multi-scale (default: ${DEFAULT-VALUE}).")
    String protocol;

    @Option(names = "--scales", split = ",", paramLabel = "SIDE", description = "Multi-scale shorter sides for a 224 input (default: 224,256,384,480,640).")
    int[] scales;

    @Option(names = "--workers", defaultValue = "2", description = "Image decoding threads (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--data", required = true, paramLabel = "DIR",
            description = "CIFAR-10 binary folder (or cifar-10-binary.tar.gz), or an image folder root holding"
                    + " val/<class>/*.jpg (and train/...); with --task detection a Pascal VOC or COCO root.")
    Path data;

    @Option(names = "--split", description = "CIFAR: test, val5k, train45k or train (default: test); image folders: val or train"
            + " (default: val); VOC: a list of ImageSets/Main (default: val); COCO: X of instances_X.json.")
    String split;

    @Option(names = "--batch-size", paramLabel = "N",
            description = "Images per forward pass (default: from the input size and the free memory).")
    Integer batchSize;

    @Option(names = "--json", description = "Print a JSON object (top1_error, top5_error, images, per_class_accuracy, confusion).")
    boolean json;

    @Option(names = "--plot", paramLabel = "PNG", description = "Also draw the confusion matrix to this PNG file.")
    Path plot;

    @Option(names = "--class-map", paramLabel = "MAP",
            description = "Image folders: which network class each folder class is, when names differ on purpose:"
                    + " FOLDER=CLASS[,FOLDER=CLASS...], or by-order (folder classes, sorted, are the network's first"
                    + " outputs). Default: by name; a folder class the network does not have is an error.")
    String classMap;

    @Option(names = "--force", description = "Overwrite the --plot file if it exists.")
    boolean force;

    @Mixin
    PixelLimit pixels;

    @Mixin
    EngineOptions engine;

    @Mixin
    DetectionEval detection;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (detection.requested()) {
            return detection.run(this, engine.apply(), pixels.value(), spec.commandLine().getOut(),
                    spec.commandLine().getErr());
        }
        if (plot != null) {
            OutputGuard.check(plot, force, weights);
        }
        if (!Files.exists(weights)) {
            throw new UsageException("no weights at " + weights + " (a run folder keeps them as model.safetensors)");
        }
        if (ImageFolder.isImageFolderRoot(data)) {
            return imageFolder();
        }
        Split s;
        try {
            s = Split.parse(split == null ? "test" : split);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        Device device = engine.apply();
        try (ImageClassifier classifier = open(device)) {
            Normalization norm = cifarNormalization(classifier);
            CifarData dataset = Cifar10.load(data, s);
            RateProgress progress = new RateProgress("eval", dataset.size(), spec.commandLine().getErr());
            Evaluator.Result r = Evaluator.evaluate(classifier.scorer(), dataset, norm,
                    classifier.batchSize(batchSize == null ? BatchSizes.forInference(32) : batchSize), progress);
            progress.finish();
            return report(classifier.config().spec().name(), s.toString(), null, s.toString(), r);
        }
    }

    /** The CIFAR input normalisation recorded with the weights; other weights are a usage error. */
    private Normalization cifarNormalization(ImageClassifier classifier) {
        Preprocessing pre = classifier.preprocessing();
        if (classifier.config().inputSize() != 32 || pre == null || !(Preprocessing.PER_PIXEL_MEAN.equals(pre.kind())
                || pre.meanImage() == null && pre.channelMean() != null)) {
            throw new UsageException(weights + " is not a CIFAR network (input " + classifier.config().inputSize()
                    + "); CIFAR evaluation needs a 32x32 model trained with 'resnet4j train' (or its export)");
        }
        return Preprocessing.PER_PIXEL_MEAN.equals(pre.kind())
                ? Normalization.of(pre.meanImage(), pre.channelStd())
                : Normalization.perChannel(pre.channelMean(), pre.channelStd());
    }

    private ImageClassifier open(Device device) throws java.io.IOException {
        ImageClassifier.Builder builder = ImageClassifier.builder(weights.toString()).device(device)
                .threads(engine.threads());
        return UsageException.rethrow(() -> builder.engine(engineName).open());
    }

    private int imageFolder() throws Exception {
        String which = split == null ? "val" : split;
        if (!which.equals("val") && !which.equals("train")) {
            throw new UsageException("--split for an image folder is val or train, got " + which);
        }
        TestProtocols.Protocol p;
        try {
            p = TestProtocols.Protocol.parse(protocol);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        for (int side : scales == null ? new int[0] : scales) {
            if (side < 1 || side > Preprocessing.MAX_SIDE) {
                throw new UsageException("--scales must be 1 to " + Preprocessing.MAX_SIDE + ", got " + side);
            }
        }
        ImageFolder folder = ImageFolder.open(data.resolve(which)).withMaxPixels(pixels.value());
        Device device = engine.apply();
        try (ImageClassifier classifier = open(device)) {
            int input = classifier.config().inputSize();
            ImageFolder scored = folder.withClasses(classifier.classNames(), classMapping(folder, classifier.classNames()));
            RateProgress progress = new RateProgress("eval", scored.size(), spec.commandLine().getErr());
            if (p == TestProtocols.Protocol.MULTI_SCALE && classifier.fixedBatch() > 0) {
                throw new UsageException(weights + " was exported with a fixed input shape; multi-scale needs any image"
                        + " size: export again without --batch-size");
            }
            Evaluator.Result r = TestProtocols.evaluate(p, classifier.scorer(), scored, classifier.preprocessing(), input,
                    scales, classifier.batchSize(batchSize), workers, System.err, progress);
            progress.finish();
            return report(classifier.config().spec().name(), which, p.label(), data.resolve(which).toString(), r);
        }
    }

    private int[] classMapping(ImageFolder folder, java.util.List<String> networkClasses) {
        return UsageException.rethrowUnchecked(() -> "by-order".equals(classMap)
                ? ClassMapping.byOrder(folder.classNames(), networkClasses.size())
                : ClassMapping.byName(folder.classNames(), networkClasses,
                        classMap == null ? java.util.Map.of() : ClassMapping.parseRenames(classMap)));
    }

    /**
     * Prints one evaluation (JSON or text) and draws the confusion matrix when asked; {@code protocol}
     * is null for CIFAR's single-view protocol.
     */
    private int report(String model, String splitName, String protocol, String where, Evaluator.Result r)
            throws java.io.IOException {
        if (plot != null) {
            r.confusion().writePng(plot);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            ObjectNode o = mapper.createObjectNode();
            o.put("model", model);
            o.put("weights", weights.toString());
            o.put("split", splitName);
            if (protocol != null) {
                o.put("protocol", protocol);
            }
            o.put("images", r.images());
            o.put("top1_error", r.top1Error());
            o.put("top5_error", r.top5Error());
            o.setAll(r.confusion().toJson());
            out.println(mapper.writeValueAsString(o));
        } else {
            out.printf(Locale.ROOT, "%s on %s (%,d images)%s: top-1 error %.2f%%, top-5 error %.2f%%%n%n",
                    PrintableText.of(model), PrintableText.of(where),
                    r.images(), protocol == null ? "" : ", " + protocol + " protocol", 100 * r.top1Error(),
                    100 * r.top5Error());
            out.println(r.confusion().toText());
            if (plot != null) {
                out.println("confusion matrix drawn to " + plot);
            }
        }
        out.flush();
        return 0;
    }
}
