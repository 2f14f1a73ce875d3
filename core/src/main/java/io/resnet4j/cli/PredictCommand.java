package io.resnet4j.cli;

import ai.djl.Device;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.resnet4j.inference.ImageBatches;
import io.resnet4j.inference.ImageClassifier;
import io.resnet4j.inference.ImageFiles;
import io.resnet4j.inference.Prediction;
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
@Command(name = "predict", aliases = "classify", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, sortOptions = false,
        description = "Classify JPEG/PNG images (files or folders) with any weights resnet4j reads: top-K class indices, names and probabilities.")
public final class PredictCommand implements Callable<Integer> {

    @Mixin
    WeightsSelection weights;

    @Option(names = "--top", paramLabel = "K", defaultValue = "5", description = "Classes to show per image (default: ${DEFAULT-VALUE}).")
    int top;

    @Option(names = "--json", description = "Print a JSON array of {image, top: [{index, name, probability}]}.")
    boolean json;

    @Mixin
    ImageInputOptions input;

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
        long maxPixels = pixels.value();
        ImageFiles files = ImageFiles.expand(inputs).requireAny();
        Device device = engine.apply();
        PrintWriter out = spec.commandLine().getOut();
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ArrayNode results = mapper.createArrayNode();
        ImageProgress progress = new ImageProgress(files, spec.commandLine().getErr());
        try (ImageClassifier classifier = weights.openClassifier(engineName, device, engine.threads(), input.resize, input.crop)) {
            ImageBatches images = new ImageBatches(files.files(), classifier.transform(), maxPixels);
            int perBatch = classifier.batchSize(input.batchSize);
            for (ImageBatches.Batch batch = images.next(perBatch); batch != null; batch = images.next(perBatch)) {
                progress.batch(batch, images.done());
                if (batch.size() == 0) {
                    continue;
                }
                List<List<Prediction>> ranked = classifier.classifyInput(batch.input(), batch.size(), top);
                for (int i = 0; i < batch.size(); i++) {
                    report(batch.files().get(i), ranked.get(i), results.addObject(), out);
                }
            }
        }
        if (json) {
            out.println(mapper.writeValueAsString(results));
        }
        out.flush();
        return progress.exitCode();
    }

    private void report(Path image, List<Prediction> ranked, ObjectNode o, PrintWriter out) {
        o.put("image", image.toString());
        ArrayNode list = o.putArray("top");
        for (Prediction p : ranked) {
            list.addObject().put("index", p.index()).put("name", p.name()).put("probability", p.probability());
        }
        if (!json) {
            out.println(PrintableText.of(image));
            for (Prediction p : ranked) {
                out.printf(Locale.ROOT, "  %7.4f  %4d  %s%n", p.probability(), p.index(), PrintableText.of(p.name()));
            }
        }
    }
}
