package io.resnet4j.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.resnet4j.image.ImageTransform;
import io.resnet4j.io.PrintableText;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code resnet4j predict --weights W IMAGE_OR_FOLDER...}: top-K classes per image. */
@Command(name = "predict", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, sortOptions = false,
        description = "Classify JPEG/PNG images (files or folders) with a checkpoint: top-K class indices, names and probabilities.")
public final class PredictCommand implements Callable<Integer> {

    @Mixin
    WeightsSelection weights;

    @Option(names = "--top", paramLabel = "K", defaultValue = "5", description = "Classes to show per image (default: ${DEFAULT-VALUE}).")
    int top;

    @Option(names = "--json", description = "Print a JSON array of {image, top: [{index, name, probability}]}.")
    boolean json;

    @Option(names = "--resize", paramLabel = "N", description = "Resize the shorter side to N first (default: the checkpoint's, 256 for torchvision; 0 = no resize).")
    Integer resize;

    @Option(names = "--crop", paramLabel = "N", description = "Centre crop side (default: the checkpoint's, 224 for torchvision).")
    Integer crop;

    @Option(names = "--batch-size", paramLabel = "B", defaultValue = "16", description = "Images per forward pass (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--engine", defaultValue = "auto", paramLabel = "auto|onnxruntime|pytorch",
            description = "onnxruntime (the network exported in memory with batch norm folded; the fast CPU path),"
                    + " pytorch (eager libtorch), or auto: onnxruntime on CPU, pytorch on GPU (default). A .onnx"
                    + " --weights file (from 'resnet4j export') runs on onnxruntime.")
    String engineName;

    @Mixin
    PixelLimit pixels;

    @Mixin
    EngineOptions engine;

    @Parameters(arity = "1..*", paramLabel = "IMAGE_OR_FOLDER", description = "Image files and folders (searched recursively for .jpg, .jpeg, .png).")
    List<Path> inputs;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (top < 1 || batchSize < 1) {
            throw new UsageException("--top and --batch-size must be at least 1, got " + top + " and " + batchSize);
        }
        long maxPixels = pixels.value();
        Device device = engine.apply();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ArrayNode results = mapper.createArrayNode();
        InferenceEngine inference = InferenceEngine.parse(
                Classifier.isOnnxFile(weights.weights) && "auto".equals(engineName) ? "onnxruntime" : engineName, device);
        try (NDManager manager = NDManager.newBaseManager(device);
                Classifier classifier = Classifier.open(weights, inference, engine.threads(), manager)) {
            ImageTransform transform = transform(classifier.preprocessing(), resize, crop);
            int classes = classifier.config().classes();
            int k = Math.min(top, classes);
            ImageBatches images = new ImageBatches(inputs, transform, maxPixels, err);
            ImageBatches.Batch batch;
            while (true) {
                try (NDManager scratch = manager.newSubManager()) {
                    batch = images.next(batchSize, scratch);
                    if (batch == null) {
                        break;
                    }
                    float[] logits = classifier.logits(batch.input());
                    for (int i = 0; i < batch.images().size(); i++) {
                        float[] p = softmax(logits, i * classes, classes);
                        int[] order = topK(p, k);
                        ObjectNode o = results.addObject();
                        o.put("image", batch.images().get(i).toString());
                        ArrayNode list = o.putArray("top");
                        for (int c : order) {
                            list.addObject().put("index", c).put("name", classifier.classNames().get(c)).put("probability", p[c]);
                        }
                        if (!json) {
                            out.println(PrintableText.of(batch.images().get(i)));
                            for (int c : order) {
                                out.printf(Locale.ROOT, "  %7.4f  %4d  %s%n", p[c], c,
                                        PrintableText.of(classifier.classNames().get(c)));
                            }
                        }
                    }
                }
            }
            if (json) {
                out.println(mapper.writeValueAsString(results));
            }
            out.flush();
            return finish(images, err);
        }
    }

    static ImageTransform transform(io.resnet4j.io.Preprocessing preprocessing, Integer resize, Integer crop) {
        try {
            return ImageTransform.of(preprocessing, resize, crop);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    static int finish(ImageBatches images, PrintWriter err) {
        if (images.failures() > 0) {
            err.println("resnet4j: " + images.failures() + " of " + (images.total() + images.failuresOfMissing())
                    + " inputs could not be read (see above)");
            err.flush();
            return Main.EXIT_FAILURE;
        }
        return 0;
    }

    /** Softmax of {@code n} logits starting at {@code offset}, in double precision (stable: max subtracted). */
    static float[] softmax(float[] logits, int offset, int n) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            max = Math.max(max, logits[offset + j]);
        }
        double sum = 0;
        double[] e = new double[n];
        for (int j = 0; j < n; j++) {
            e[j] = Math.exp(logits[offset + j] - max);
            sum += e[j];
        }
        float[] p = new float[n];
        for (int j = 0; j < n; j++) {
            p[j] = (float) (e[j] / sum);
        }
        return p;
    }

    /** Indices of the k largest values, largest first (ties: lower index first). */
    static int[] topK(float[] p, int k) {
        return java.util.stream.IntStream.range(0, p.length).boxed()
                .sorted((a, b) -> p[b] != p[a] ? Float.compare(p[b], p[a]) : Integer.compare(a, b))
                .limit(k).mapToInt(Integer::intValue).toArray();
    }
}
