package io.resnet4j.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
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
import io.resnet4j.io.WeightsLoader;
import io.resnet4j.io.Checkpoint;
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

/** {@code resnet4j eval}: the paper's CIFAR test protocol (single original view) on a checkpoint. */
@Command(name = "eval", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, sortOptions = false,
        description = {"Evaluate weights: top-1 and top-5 error, per-class accuracy, confusion matrix.",
            "CIFAR-10 data: the paper's single-view protocol on a split. Image folders (ROOT/val/<class>/...):"
                    + " --protocol center, ten-crop or multi-scale (the paper's fully-convolutional form).",
            "An eval keeps no state between runs: one stopped by a signal (or a scheduler) simply runs again from the"
                    + " start; nothing it writes is left half-written."})
final class EvalCommand implements Callable<Integer> {

    @Option(names = "--weights", required = true, paramLabel = "CKPT",
            description = "resnet4j checkpoint (e.g. RUN_DIR/model.safetensors); for image folders also torchvision .pth/.safetensors.")
    Path weights;

    @Option(names = "--protocol", defaultValue = "center", description = "Image folders: center, ten-crop or multi-scale (default: ${DEFAULT-VALUE}).")
    String protocol;

    @Option(names = "--scales", split = ",", paramLabel = "SIDE", description = "Multi-scale shorter sides for a 224 input (default: 224,256,384,480,640).")
    int[] scales;

    @Option(names = "--workers", defaultValue = "2", description = "Image decoding threads (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "CIFAR-10 binary folder or cifar-10-binary.tar.gz.")
    Path data;

    @Option(names = "--split", description = "CIFAR: test, val5k, train45k or train (default: test); image folders: val or train (default: val).")
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

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (plot != null) {
            OutputGuard.check(plot, force, weights);
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
        if (!Files.exists(weights)) {
            throw new UsageException("no checkpoint at " + weights + " (a run folder keeps it as model.safetensors)");
        }
        Checkpoint.Info info = Checkpoint.readInfo(weights);
        Preprocessing pre = info.preprocessing();
        if (pre == null || info.config().inputSize() != 32) {
            throw new UsageException(weights + " is not a CIFAR checkpoint (input " + info.config().inputSize()
                    + "); CIFAR evaluation needs a 32x32 model trained with 'resnet4j train'");
        }
        Normalization norm = Preprocessing.PER_PIXEL_MEAN.equals(pre.kind())
                ? Normalization.of(pre.meanImage(), pre.channelStd())
                : Normalization.perChannel(pre.channelMean(), pre.channelStd());
        CifarData dataset = Cifar10.load(data, s);
        Device device = engine.apply();
        Evaluator.Result r;
        try (NDManager manager = NDManager.newBaseManager(device)) {
            Checkpoint.Loaded loaded = Checkpoint.load(weights, manager);
            r = Evaluator.evaluate(loaded.net(), dataset, norm, batchFor(32), manager);
        }
        return report(info.config().spec().name(), s.toString(), null, s.toString(), r);
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
        if (!Files.exists(weights)) {
            throw new UsageException("no weights at " + weights);
        }
        long maxPixels = pixels.value();
        for (int side : scales == null ? new int[0] : scales) {
            if (side < 1 || side > Preprocessing.MAX_SIDE) {
                throw new UsageException("--scales must be 1 to " + Preprocessing.MAX_SIDE + ", got " + side);
            }
        }
        ImageFolder folder = ImageFolder.open(data.resolve(which)).withMaxPixels(maxPixels);
        Device device = engine.apply();
        Evaluator.Result r;
        WeightsLoader.Loaded loaded;
        try (NDManager manager = NDManager.newBaseManager(device)) {
            loaded = WeightsLoader.load(weights.toString(), WeightsLoader.Options.defaults(), manager);
            int input = loaded.net().config().inputSize();
            ImageFolder scored = folder.withClasses(loaded.classNames(), classMapping(folder, loaded.classNames()));
            r = TestProtocols.evaluate(p, loaded.net(), scored, loaded.preprocessing(), input, scales, batchFor(input), workers,
                    manager, System.err);
        }
        return report(loaded.net().config().spec().name(), which, p.label(), data.resolve(which).toString(), r);
    }

    private int batchFor(int side) {
        return batchSize != null ? batchSize : BatchSizes.forInference(side);
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
