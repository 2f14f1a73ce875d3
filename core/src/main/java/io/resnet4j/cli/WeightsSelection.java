package io.resnet4j.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.resnet4j.inference.ImageClassifier;
import io.resnet4j.io.WeightsLoader;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the weights come from and the overrides for files without resnet4j metadata. */
public final class WeightsSelection {

    @Option(names = "--weights", required = true, paramLabel = "WEIGHTS",
            description = "A resnet4j checkpoint, a .pth/.pt or .safetensors state_dict (torchvision, timm), or torchvision:NAME[.V1|.V2].")
    String weights;

    @Option(names = "--model", paramLabel = "MODEL",
            description = "Model name for files without resnet4j metadata (default: inferred from the tensor names and shapes).")
    String model;

    @Option(names = "--stride-on", paramLabel = "1x1|3x3",
            description = "Bottleneck stride placement of files without resnet4j metadata (default: 3x3, as torchvision and timm).")
    String strideOn;

    @Option(names = "--cache-dir", paramLabel = "DIR",
            description = "Cache for torchvision downloads (default: $RESNET4J_CACHE or ~/.cache/resnet4j/weights).")
    Path cacheDir;

    WeightsLoader.Options options() {
        return new WeightsLoader.Options(model, strideOn, cacheDir);
    }

    WeightsLoader.Loaded load(NDManager manager) throws IOException {
        return load(weights, model, strideOn, cacheDir, manager);
    }

    /** An image classifier on these weights; bad engine, resize or crop values are usage errors. */
    ImageClassifier openClassifier(String engineName, Device device, int threads, Integer resize, Integer crop)
            throws IOException {
        ImageClassifier.Builder builder = ImageClassifier.builder(weights).weightsOptions(options()).device(device)
                .threads(threads).resize(resize).crop(crop);
        return UsageException.rethrow(() -> builder.engine(engineName).open());
    }

    /** Loads weights; a bad name or option is a usage error (exit 2), a bad file a failure (exit 1). */
    static WeightsLoader.Loaded load(String weights, String model, String strideOn, Path cacheDir, NDManager manager)
            throws IOException {
        return UsageException.rethrow(
                () -> WeightsLoader.load(weights, new WeightsLoader.Options(model, strideOn, cacheDir), manager));
    }
}
