package io.resnet4j.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.resnet4j.image.ImageTransform;
import io.resnet4j.io.PrintableText;
import io.resnet4j.io.SafeTensors;
import io.resnet4j.io.WeightsLoader;
import io.resnet4j.model.ResNet;
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

    /** --layer values: the pooled vector, or the paper's stage names (torchvision's layer1..layer4). */
    static final List<String> LAYERS = List.of("pool", "conv2_x", "conv3_x", "conv4_x", "conv5_x");

    @Mixin
    WeightsSelection weights;

    @Option(names = "--layer", paramLabel = "L", defaultValue = "pool",
            description = "pool (default), or a stage's output: conv2_x, conv3_x, conv4_x, conv5_x (torchvision's layer1..layer4).")
    String layer;

    static final class Output {
        @Option(names = "--json", description = "Print a JSON array of {image, features} (feature maps as nested C x H x W arrays).")
        boolean json;

        @Option(names = "--output", paramLabel = "F",
                description = "Write a safetensors file: tensor 'features' (N, ...) and metadata 'images' (JSON list), 'layer', 'model'.")
        Path file;
    }

    @ArgGroup(exclusive = true)
    Output output = new Output();

    @Option(names = "--resize", paramLabel = "N", description = "Resize the shorter side to N first (default: the checkpoint's; 0 = no resize).")
    Integer resize;

    @Option(names = "--crop", paramLabel = "N", description = "Centre crop side (default: the checkpoint's).")
    Integer crop;

    @Option(names = "--batch-size", paramLabel = "B", defaultValue = "16", description = "Images per forward pass (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Mixin
    PixelLimit pixels;

    @Mixin
    EngineOptions engine;

    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "Image files and folders (searched recursively for .jpg, .jpeg, .png).")
    List<Path> inputs;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (output == null) {
            output = new Output(); // picocli leaves an unmatched group null
        }
        int stage = LAYERS.indexOf(layer) - 1; // -1: pool
        if (!LAYERS.contains(layer)) {
            throw new UsageException("unknown layer '" + layer + "': valid layers are " + String.join(", ", LAYERS));
        }
        if (batchSize < 1) {
            throw new UsageException("--batch-size must be at least 1, got " + batchSize);
        }
        long maxPixels = pixels.value();
        Device device = engine.apply();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ObjectMapper mapper = new ObjectMapper();
        try (NDManager manager = NDManager.newBaseManager(device)) {
            WeightsLoader.Loaded loaded = weights.load(manager);
            ResNet net = loaded.net();
            if (stage >= net.config().spec().stages()) {
                throw new UsageException(net.config().spec().name() + " has " + net.config().spec().stages()
                        + " stages, so its last is conv" + (net.config().spec().stages() + 1) + "_x; valid layers are "
                        + String.join(", ", LAYERS.subList(0, net.config().spec().stages() + 1)));
            }
            ImageTransform transform = PredictCommand.transform(loaded.preprocessing(), resize, crop);
            ImageBatches images = new ImageBatches(inputs, transform, maxPixels, err);
            ParameterStore ps = new ParameterStore(manager, false);
            List<String> names = new ArrayList<>();
            List<float[]> rows = new ArrayList<>();
            Shape itemShape = null;
            ArrayNode json = mapper.createArrayNode();
            while (true) {
                try (NDManager scratch = manager.newSubManager()) {
                    ImageBatches.Batch batch = images.next(batchSize, scratch);
                    if (batch == null) {
                        break;
                    }
                    NDArray f = stage < 0 ? net.pooledFeatures(ps, batch.input(), false)
                            : net.stageOutput(ps, batch.input(), stage, false);
                    itemShape = f.getShape().slice(1);
                    for (int i = 0; i < batch.images().size(); i++) {
                        float[] v = f.get(i).toFloatArray();
                        String name = batch.images().get(i).toString();
                        if (output.json) {
                            ObjectNode o = json.addObject();
                            o.put("image", name);
                            nested(o.putArray("features"), v, itemShape.getShape(), 0, 0);
                        } else if (output.file != null) {
                            names.add(name);
                            rows.add(v);
                        } else {
                            out.println(PrintableText.of(summary(name, v, itemShape)));
                        }
                    }
                }
            }
            if (output.json) {
                out.println(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(json));
            } else if (output.file != null && !rows.isEmpty()) {
                write(output.file, names, rows, itemShape, net, manager);
                out.println(PrintableText.of("wrote " + rows.size() + " x " + itemShape + " " + layer + " features to "
                        + output.file));
            }
            out.flush();
            return PredictCommand.finish(images, err);
        }
    }

    private void write(Path file, List<String> names, List<float[]> rows, Shape itemShape, ResNet net, NDManager manager)
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
        meta.put("model", net.config().spec().name());
        try (NDManager scratch = manager.newSubManager(ai.djl.Device.cpu())) {
            SafeTensors.write(file, Map.of("features", scratch.create(all, new Shape(dims))), meta);
        }
    }

    /** Writes a flat C-order array as nested JSON arrays of the given shape. */
    private static int nested(ArrayNode node, float[] v, long[] shape, int dim, int offset) {
        if (dim == shape.length - 1) {
            for (int i = 0; i < shape[dim]; i++) {
                node.add(v[offset + i]);
            }
            return offset + (int) shape[dim];
        }
        int o = offset;
        for (int i = 0; i < shape[dim]; i++) {
            o = nested(node.addArray(), v, shape, dim + 1, o);
        }
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
