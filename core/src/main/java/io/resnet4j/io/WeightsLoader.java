package io.resnet4j.io;

import io.resnet4j.files.InputFiles;
import io.resnet4j.image.Preprocessing;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.resnet4j.image.ImageNetClasses;
import io.resnet4j.model.BlockType;
import io.resnet4j.model.ResNet;
import io.resnet4j.model.ResNetConfig;
import io.resnet4j.model.ResNetFamily;
import io.resnet4j.model.Stem;
import io.resnet4j.model.StridePlacement;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one way weights enter resnet4j: a resnet4j checkpoint, a foreign {@code .pth}/{@code .pt}
 * (torch.save zip) or {@code .safetensors} state_dict, or a {@code torchvision:NAME} reference,
 * becomes an initialised {@link ResNet} with its weights, class names and preprocessing.
 *
 * <p>resnet4j checkpoints rebuild exactly from their metadata. Other files are taken to come from
 * torchvision/timm: the architecture is inferred from tensor names and shapes unless a model is
 * given, and bottlenecks stride on the 3x3 unless a placement is given. Every mismatch is reported
 * before any weight is copied.
 */
public final class WeightsLoader {

    private WeightsLoader() {}

    /**
     * Overrides; null fields mean "infer".
     *
     * @param model a model name of {@link ResNetFamily}
     * @param strideOn "1x1" or "3x3" for bottleneck models
     * @param cacheDir folder for torchvision downloads
     */
    public record Options(String model, String strideOn, Path cacheDir) {
        public static Options defaults() {
            return new Options(null, null, null);
        }
    }

    /**
     * A network ready to run.
     *
     * @param classNames one name per class (ImageNet names for foreign 1000-class models, else "class N")
     * @param preprocessing the checkpoint's, or torchvision's eval transform for ImageNet-stem models
     * @param resnet4jCheckpoint whether the file carried resnet4j metadata
     */
    public record Loaded(ResNet net, List<String> classNames, Preprocessing preprocessing, String source,
            boolean resnet4jCheckpoint) {}

    public static Loaded load(String weights, Options options, NDManager manager) throws IOException {
        try {
            return loadUnguarded(weights, options, manager);
        } catch (OutOfMemoryError | StackOverflowError e) {
            // Every reader is bounded by the file's size; this is a large genuine file, or a gap in those bounds.
            throw new WeightsFormatException(weights + ": " + JvmLimits.describe(e));
        }
    }

    private static Loaded loadUnguarded(String weights, Options options, NDManager manager) throws IOException {
        Options o = options == null ? Options.defaults() : options;
        int torchvisionResize = 0;
        Path file;
        StridePlacement defaultPlacement = StridePlacement.MIDDLE_3X3; // torchvision / timm "v1.5"
        if (TorchvisionWeights.isReference(weights)) {
            TorchvisionWeights.Entry entry = TorchvisionWeights.parse(weights);
            if (entry.task() != TorchvisionWeights.Task.CLASSIFICATION) {
                throw new IllegalArgumentException(weights + " is an object detector, not a classifier: run it with"
                        + " 'resnet4j detect' (classifiers: "
                        + TorchvisionWeights.known(TorchvisionWeights.Task.CLASSIFICATION) + ")");
            }
            file = TorchvisionWeights.resolve(weights, TorchvisionWeights.cacheDir(o.cacheDir()));
            torchvisionResize = entry.resize();
            defaultPlacement = TorchvisionWeights.stridePlacement();
        } else {
            file = Path.of(weights);
            if (!Files.exists(file)) {
                throw new NoSuchFileException(weights + " (expected a .pth, .pt or .safetensors file, or one of "
                        + TorchvisionWeights.known(TorchvisionWeights.Task.CLASSIFICATION) + ")");
            }
        }
        boolean safetensors = isSafeTensors(file);
        String format = safetensors ? SafeTensors.readMetadata(file).get("format") : null;
        if (Checkpoint.FORMAT.equals(format)) {
            return loadCheckpoint(file, o, manager);
        }
        if (Checkpoint.DETECTOR_FORMAT.equals(format)) {
            throw new NotWeightsException(file + " is a Faster R-CNN detector checkpoint, not a classifier: use it with"
                    + " 'resnet4j detect', 'eval --task detection' or 'train --task detection --init'; for a classifier"
                    + " give " + ACCEPTED);
        }
        Map<String, NDArray> tensors;
        try (NDManager scratch = manager.newSubManager()) {
            tensors = StateDicts.normalise(safetensors ? SafeTensors.read(file, scratch).tensors()
                    : TorchPickle.readStateDict(file, scratch));
            ResNetConfig config = foreignConfig(file, tensors, o, defaultPlacement);
            if (o.model() == null) {
                // An inferred architecture comes from names alone; make sure the tensors hold all of it.
                Map<String, Shape> shapes = new LinkedHashMap<>();
                tensors.forEach((k, v) -> shapes.put(k, v.getShape()));
                StateDicts.checkParameterCount(file.toString(), config, shapes);
            }
            ResNet net = new ResNet(config).initialize(manager);
            StateDicts.load(net, tensors);
            Preprocessing pre = defaultPreprocessing(config, torchvisionResize);
            return new Loaded(net, defaultClassNames(config.classes()), pre, weights, false);
        }
    }

    /** The configuration for a file without resnet4j metadata. */
    static ResNetConfig foreignConfig(Path file, Map<String, NDArray> tensors, Options o, StridePlacement placement)
            throws WeightsFormatException {
        StridePlacement p = placement;
        if (o.strideOn() != null) {
            p = parse(() -> StridePlacement.parse(o.strideOn()));
        }
        Map<String, Shape> shapes = new LinkedHashMap<>();
        tensors.forEach((k, v) -> shapes.put(k, v.getShape()));
        if (o.model() == null) {
            return ArchitectureInference.infer(shapes, file.toString(), p);
        }
        StridePlacement placementFinal = p;
        return parse(() -> {
            ResNetConfig c = ResNetConfig.of(ResNetFamily.get(o.model()));
            Shape fc = shapes.get("fc.weight");
            if (fc != null && fc.dimension() == 2) {
                c = c.withClasses((int) fc.get(0)); // the classifier's size is a fact of the file
            }
            if (c.spec().residual()) {
                // The shortcut option shows in the weights (projections or none); take it from there.
                c = c.withShortcut(ArchitectureInference.describe(shapes, file.toString()).shortcut());
            }
            return c.spec().blockType() == BlockType.BOTTLENECK ? c.withStridePlacement(placementFinal) : c;
        });
    }

    private interface Parse<T> {
        T get() throws WeightsFormatException;
    }

    private static <T> T parse(Parse<T> p) throws WeightsFormatException {
        try {
            return p.get();
        } catch (IllegalArgumentException e) {
            throw new WeightsFormatException(e.getMessage());
        }
    }

    private static Loaded loadCheckpoint(Path file, Options o, NDManager manager) throws IOException {
        Checkpoint.Info info = Checkpoint.readInfo(file);
        String model = info.config().spec().name();
        if (o.model() != null && !ResNetFamily.get(o.model()).name().equals(model)) {
            throw new WeightsFormatException(file + " is a resnet4j checkpoint of " + model + ", not " + o.model()
                    + "; drop --model (resnet4j checkpoints describe their own architecture)");
        }
        if (o.strideOn() != null && info.config().spec().blockType() == BlockType.BOTTLENECK
                && StridePlacement.parse(o.strideOn()) != info.config().stridePlacement()) {
            throw new WeightsFormatException(file + " was trained with the stride on the "
                    + info.config().stridePlacement().label() + " conv; --stride-on " + o.strideOn() + " would change"
                    + " the function its weights compute");
        }
        Checkpoint.Loaded loaded = Checkpoint.load(file, manager);
        List<String> names = info.classNames().size() == info.config().classes() ? info.classNames()
                : defaultClassNames(info.config().classes());
        Preprocessing pre = info.preprocessing() != null ? info.preprocessing()
                : defaultPreprocessing(info.config(), 0);
        return new Loaded(loaded.net(), names, pre, file.toString(), true);
    }

    /** ImageNet names for 1000 classes (what foreign ImageNet weights are trained on), else "class N". */
    public static List<String> defaultClassNames(int classes) {
        if (classes == 1000) {
            return ImageNetClasses.names();
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < classes; i++) {
            out.add("class " + i);
        }
        return out;
    }

    /**
     * torchvision's eval transform for ImageNet-stem models (resize 256, or 232 for the V2 weights);
     * for CIFAR-stem files without metadata, ImageNet mean/std at the model's input size, a guess the
     * user can override with --resize/--crop.
     */
    static Preprocessing defaultPreprocessing(ResNetConfig config, int torchvisionResize) {
        Preprocessing in = Preprocessing.imagenet();
        if (config.spec().stem() == Stem.IMAGENET) {
            int resize = torchvisionResize > 0 ? torchvisionResize : in.resize();
            return new Preprocessing(in.kind(), in.inputSize(), resize, in.crop(), in.channelMean(), in.channelStd(),
                    null);
        }
        int size = config.inputSize();
        return new Preprocessing(in.kind(), size, size, size, in.channelMean(), in.channelStd(), null);
    }

    /** Reads a file's tensors (by content, not extension): safetensors or torch.save zip. */
    public static Map<String, NDArray> readTensors(Path file, NDManager manager) throws IOException {
        return isSafeTensors(file) ? SafeTensors.read(file, manager).tensors() : TorchPickle.readStateDict(file, manager);
    }

    /** What the weights a user named are: what '--weights' accepts, for messages. */
    static final String ACCEPTED = "a resnet4j checkpoint, a .pth/.pt or .safetensors state dict, a resnet4j .onnx"
            + " export or torchvision:NAME";

    /**
     * Whether a file is safetensors rather than torch.save output, judged by its first bytes.
     * Safetensors starts with a little-endian header length (any first byte, 0x80 and 'P' included)
     * followed by the JSON header's '{'; a torch.save zip starts with "PK\3\4", a legacy pickle with
     * 0x80. So: a '{' after eight bytes, and no zip signature. The length is not judged here: a
     * truncated safetensors file should be reported as one, not as "not a zip".
     *
     * @throws NotWeightsException when the file is neither (an image, text, an empty file)
     * @throws WeightsFormatException when a file named .safetensors does not start as one
     */
    static boolean isSafeTensors(Path file) throws IOException {
        requireWeightsFile(file);
        byte[] head = new byte[9];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, 9);
        }
        boolean zip = n >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4;
        if (n == 9 && head[8] == '{' && !zip) {
            return true;
        }
        if (zip || (n >= 2 && (head[0] & 0xff) == 0x80)) {
            return false;
        }
        if (hasExtension(file, ".safetensors")) {
            throw new WeightsFormatException(file + " is not a valid safetensors file: it must start with the JSON"
                    + " header's length in 8 bytes and then '{'");
        }
        throw new NotWeightsException(file + " is " + looksLike(head, n) + ", not weights: give " + ACCEPTED);
    }

    /**
     * A folder or an ONNX export named where this reader needs a checkpoint or state dict is the wrong
     * file, not a damaged one: say what would do instead.
     */
    static void requireWeightsFile(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            Path checkpoint = file.resolve("model.safetensors");
            throw new NotWeightsException(file + " is a folder, not weights: give " + (Files.isRegularFile(checkpoint)
                    ? "the checkpoint in it, " + checkpoint : "a file: " + ACCEPTED));
        }
        if (hasExtension(file, ".onnx")) {
            throw new NotWeightsException(file + " is an ONNX export: this command needs the checkpoint or state dict"
                    + " it was exported from ('predict', 'eval' and 'features' run .onnx files)");
        }
        InputFiles.requireRegularFile(file, "a .pth, .pt or .safetensors file");
    }

    private static boolean hasExtension(Path file, String extension) {
        return file.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(extension);
    }

    /** A few words on what a non-weights file seems to be, from its first bytes. */
    static String looksLike(byte[] head, int n) {
        if (n == 0) {
            return "empty";
        }
        if (n >= 4 && (head[0] & 0xff) == 0x89 && head[1] == 'P' && head[2] == 'N' && head[3] == 'G') {
            return "a PNG image";
        }
        if (n >= 3 && (head[0] & 0xff) == 0xff && (head[1] & 0xff) == 0xd8 && (head[2] & 0xff) == 0xff) {
            return "a JPEG image";
        }
        boolean text = true;
        for (int i = 0; i < n; i++) {
            int b = head[i] & 0xff;
            text &= b == '\n' || b == '\r' || b == '\t' || (b >= 0x20 && b < 0x7f);
        }
        if (text) {
            return "a text file";
        }
        StringBuilder hex = new StringBuilder();
        for (int i = 0; i < Math.min(n, 4); i++) {
            hex.append(String.format(java.util.Locale.ROOT, " %02x", head[i] & 0xff));
        }
        return "binary data in no weights format (it starts with" + hex + ")";
    }
}
