package io.resnet4j.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.core.JsonGenerator;
import io.resnet4j.inference.FeatureLayer;
import io.resnet4j.inference.ImageBatches;
import io.resnet4j.inference.ImageClassifier;
import io.resnet4j.inference.ImageFiles;
import io.resnet4j.io.PrintableText;
import io.resnet4j.io.SafeTensors;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code resnet4j features --weights W [--layer L] [--json|--output F] IMAGE...}: the embeddings
 * used for retrieval and transfer learning, the pooled penultimate vector or a stage's feature map.
 */
@Command(name = "features", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, sortOptions = false,
        description = "Extract features of images: the pooled penultimate vector (512 or 2048 numbers) or a stage's feature map.")
public final class FeaturesCommand implements Callable<Integer> {

    @Mixin
    WeightsSelection weights;

    @Option(names = "--layer", paramLabel = "LAYER", defaultValue = "pool",
            description = "pool (default), or a stage's output: conv2_x, conv3_x, conv4_x, conv5_x (torchvision's layer1..layer4).")
    String layer;

    static final class Output {
        @Option(names = "--json", description = "Print a JSON array of {image, features} (feature maps as nested C x H x W arrays).")
        boolean json;

        @Option(names = "--output", paramLabel = "FILE",
                description = "Write a safetensors file: tensor 'features' (N, ...) and metadata 'images' (JSON list), 'layer', 'model'.")
        Path file;
    }

    @ArgGroup(exclusive = true)
    Output output = new Output();

    @Option(names = "--force", description = "Overwrite the --output file if it exists.")
    boolean force;

    @Mixin
    ImageInputOptions input;

    @Option(names = "--engine", defaultValue = "auto", paramLabel = "auto|onnxruntime|pytorch",
            description = "auto (default): onnxruntime on CPU for the pooled vector, pytorch for stage feature maps"
                    + " and on GPU; onnxruntime; or pytorch (eager libtorch).")
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
        if (output == null) {
            output = new Output(); // picocli leaves an unmatched group null
        }
        FeatureLayer featureLayer = UsageException.rethrow(() -> FeatureLayer.parse(layer));
        if (output.file != null) {
            OutputGuard.check(output.file, force, weights.weights);
        }
        long maxPixels = pixels.value();
        ImageFiles files = ImageFiles.expand(inputs).requireAny();
        Device device = engine.apply();
        PrintWriter out = spec.commandLine().getOut();
        ImageProgress progress = new ImageProgress(files, spec.commandLine().getErr());
        // Stage feature maps are not outputs of the exported graph: they come from the eager network.
        String engineChoice = featureLayer != FeatureLayer.POOL && "auto".equals(engineName) ? "pytorch" : engineName;
        List<String> names = new ArrayList<>();
        List<float[]> rows = new ArrayList<>();
        long[] itemShape = null;
        // Streamed image by image: a large folder's feature maps never sit in memory all at once.
        JsonGenerator json = output.json ? jsonArray(out) : null;
        String modelName;
        try (ImageClassifier classifier = weights.openClassifier(engineChoice, device, engine.threads(), input.resize, input.crop)) {
            modelName = classifier.config().spec().name();
            int stages = classifier.config().spec().stages();
            if (featureLayer.stage() >= stages) {
                throw new UsageException(modelName + " has " + stages + " stages, so its last is conv" + (stages + 1)
                        + "_x; valid layers are " + String.join(", ", java.util.Arrays.stream(FeatureLayer.values())
                                .limit(stages + 1).map(FeatureLayer::label).toList()));
            }
            ImageBatches images = new ImageBatches(files.files(), classifier.transform(), maxPixels);
            int perBatch = classifier.batchSize(input.batchSize);
            for (ImageBatches.Batch batch = images.next(perBatch); batch != null; batch = images.next(perBatch)) {
                progress.batch(batch, images.done());
                if (batch.size() == 0) {
                    continue;
                }
                ImageClassifier.FeatureMaps f = classifier.features(batch.input(), batch.size(), batch.side(),
                        batch.side(), featureLayer);
                itemShape = f.itemShape();
                for (int i = 0; i < batch.size(); i++) {
                    String name = batch.files().get(i).toString();
                    float[] v = f.item(i);
                    if (json != null) {
                        json.writeStartObject();
                        json.writeStringField("image", name);
                        json.writeFieldName("features");
                        nested(json, v, itemShape, 0, 0);
                        json.writeEndObject();
                    } else if (output.file != null) {
                        names.add(name);
                        rows.add(v);
                    } else {
                        out.println(PrintableText.of(summary(name, v, new Shape(itemShape))));
                    }
                }
            }
        }
        if (json != null) {
            json.writeEndArray();
            json.flush();
            out.println();
        } else if (output.file != null && !rows.isEmpty()) {
            write(output.file, names, rows, new Shape(itemShape), modelName);
            out.println(PrintableText.of("wrote " + rows.size() + " x " + new Shape(itemShape) + " " + layer
                    + " features to " + output.file));
        }
        out.flush();
        return progress.exitCode();
    }

    private void write(Path file, List<String> names, List<float[]> rows, Shape itemShape, String modelName)
            throws java.io.IOException {
        int per = (int) itemShape.size();
        float[] all = new float[rows.size() * per];
        for (int i = 0; i < rows.size(); i++) {
            System.arraycopy(rows.get(i), 0, all, i * per, per);
        }
        long[] dims = new long[itemShape.dimension() + 1];
        dims[0] = rows.size();
        System.arraycopy(itemShape.getShape(), 0, dims, 1, itemShape.dimension());
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("images", new ObjectMapper().valueToTree(names).toString());
        meta.put("layer", layer);
        meta.put("model", modelName);
        try (NDManager scratch = NDManager.newBaseManager(ai.djl.Device.cpu())) {
            SafeTensors.write(file, Map.of("features", scratch.create(all, new Shape(dims))), meta);
        }
    }

    private static JsonGenerator jsonArray(PrintWriter out) throws java.io.IOException {
        JsonGenerator json = new ObjectMapper().getFactory().createGenerator(out)
                .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET).useDefaultPrettyPrinter();
        json.writeStartArray();
        return json;
    }

    /** Writes a flat C-order array as nested JSON arrays of the given shape. */
    private static int nested(JsonGenerator json, float[] v, long[] shape, int dim, int offset)
            throws java.io.IOException {
        json.writeStartArray();
        int o = offset;
        if (dim == shape.length - 1) {
            for (int i = 0; i < shape[dim]; i++) {
                json.writeNumber(v[o++]);
            }
        } else {
            for (int i = 0; i < shape[dim]; i++) {
                o = nested(json, v, shape, dim + 1, o);
            }
        }
        json.writeEndArray();
        return o;
    }

    private static String summary(String image, float[] v, Shape shape) {
        double sum = 0;
        double sq = 0;
        for (float f : v) {
            sum += f;
            sq += (double) f * f;
        }
        StringBuilder first = new StringBuilder();
        for (int i = 0; i < Math.min(6, v.length); i++) {
            first.append(String.format(Locale.ROOT, " %.4f", v[i]));
        }
        return String.format(Locale.ROOT, "%s  shape %s  mean %.4f  L2 %.4f  first%s ...", image, shape,
                sum / v.length, Math.sqrt(sq), first);
    }
}
