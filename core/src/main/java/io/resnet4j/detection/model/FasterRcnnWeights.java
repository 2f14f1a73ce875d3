package io.resnet4j.detection.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.initializer.Initializer;
import io.resnet4j.detection.CocoCategories;
import io.resnet4j.files.InputFiles;
import io.resnet4j.io.JvmLimits;
import io.resnet4j.io.StateDicts;
import io.resnet4j.io.TorchvisionWeights;
import io.resnet4j.io.WeightsFormatException;
import io.resnet4j.io.WeightsLoader;
import io.resnet4j.model.BlockType;
import io.resnet4j.model.ResNetFamily;
import io.resnet4j.model.ResNetSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Faster R-CNN weights into a {@link FasterRcnn}: torchvision state_dicts ({@code .pth} in the zip or
 * legacy format, {@code .safetensors}) and {@code torchvision:fasterrcnn_resnet50_fpn} through the
 * download cache. The architecture is read from the tensors: FPN or C4 from the module names, the
 * ResNet depth from the number of units per stage, the classes from the box predictor. Names that
 * torchvision renamed in 0.13 (its Conv2dNormActivation wrappers in the FPN and the RPN head) are
 * upgraded as torchvision's own loader upgrades them, so weights saved before and after load alike.
 */
public final class FasterRcnnWeights {

    private static final Pattern OLD_FPN =
            Pattern.compile("^(backbone\\.fpn\\.(?:inner|layer)_blocks\\.\\d+)\\.(weight|bias)$");
    private static final Pattern OLD_RPN = Pattern.compile("^rpn\\.head\\.conv\\.(weight|bias)$");
    private static final Pattern UNIT =
            Pattern.compile("^(?:backbone\\.body|roi_heads\\.box_head)\\.layer(\\d)\\.(\\d+)\\.");

    private FasterRcnnWeights() {}

    /**
     * A detector ready to run.
     *
     * @param classNames names by label, entry 0 the background (COCO's for 91 classes, else "class N")
     * @param source the weights as the user named them
     */
    public record Loaded(FasterRcnn net, List<String> classNames, String source) {}

    /**
     * @param cacheDir the torchvision download cache (null: the default)
     * @param adjust changes to the inferred configuration that keep the weights valid (input size, thresholds)
     */
    public static Loaded load(String weights, Path cacheDir, java.util.function.UnaryOperator<FasterRcnnConfig> adjust,
            NDManager manager) throws IOException {
        try {
            Path file = resolve(weights, cacheDir);
            if (DetectorCheckpoint.isDetectorCheckpoint(file)) {
                DetectorCheckpoint.Loaded loaded = DetectorCheckpoint.load(file, adjust, manager);
                return new Loaded(loaded.net(), loaded.info().classNames(), weights);
            }
            try (NDManager scratch = manager.newSubManager()) {
                return fromTensors(WeightsLoader.readTensors(file, scratch), weights, adjust, manager);
            }
        } catch (OutOfMemoryError e) {
            throw new WeightsFormatException(weights + ": " + JvmLimits.describe(e));
        }
    }

    /**
     * A detector from tensors under torchvision's (old or new) names.
     *
     * @param source names the tensors in messages
     * @throws WeightsFormatException naming missing and unexpected tensors and shape conflicts
     */
    public static Loaded fromTensors(Map<String, NDArray> tensors, String source,
            java.util.function.UnaryOperator<FasterRcnnConfig> adjust, NDManager manager) throws WeightsFormatException {
        Map<String, NDArray> named = upgradeNames(StateDicts.normalise(tensors));
        FasterRcnnConfig config = adjust.apply(infer(shapes(named), source));
        FasterRcnn net = new FasterRcnn(config);
        net.setInitializer(Initializer.ZEROS, p -> true); // every value is overwritten: skip drawing random ones
        net.initialize(manager);
        StateDicts.load(net.stateDict(), describe(config), named);
        return new Loaded(net, classNames(config.numClasses()), source);
    }

    private static Path resolve(String weights, Path cacheDir) throws IOException {
        if (TorchvisionWeights.isReference(weights)) {
            TorchvisionWeights.Entry entry = TorchvisionWeights.parse(weights);
            if (entry.task() != TorchvisionWeights.Task.DETECTION) {
                throw new IllegalArgumentException(weights + " is an image classifier, not a detector: detectors are "
                        + TorchvisionWeights.known(TorchvisionWeights.Task.DETECTION));
            }
            return TorchvisionWeights.fetch(entry.fileName(), TorchvisionWeights.cacheDir(cacheDir));
        }
        Path file = Path.of(weights);
        if (!Files.exists(file)) {
            throw new NoSuchFileException(weights + " (expected a Faster R-CNN .pth or .safetensors state_dict, a resnet4j detector checkpoint, or "
                    + TorchvisionWeights.known(TorchvisionWeights.Task.DETECTION) + ")");
        }
        InputFiles.requireRegularFile(file, "a .pth or .safetensors file");
        return file;
    }

    /** Renames tensors saved before torchvision 0.13 to its current names. */
    public static Map<String, NDArray> upgradeNames(Map<String, NDArray> tensors) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        tensors.forEach((k, v) -> {
            Matcher fpn = OLD_FPN.matcher(k);
            Matcher rpn = OLD_RPN.matcher(k);
            String name = fpn.matches() ? fpn.group(1) + ".0." + fpn.group(2)
                    : rpn.matches() ? "rpn.head.conv.0.0." + rpn.group(1) : k;
            out.put(name, v);
        });
        return out;
    }

    /**
     * The configuration a state_dict describes.
     *
     * @throws WeightsFormatException when the tensors are not a Faster R-CNN on a ResNet of the table
     */
    public static FasterRcnnConfig infer(Map<String, Shape> shapes, String source) throws WeightsFormatException {
        Shape classes = shapes.get("roi_heads.box_predictor.cls_score.weight");
        boolean fpn = shapes.keySet().stream().anyMatch(k -> k.startsWith("backbone.fpn."));
        boolean c4 = shapes.containsKey("roi_heads.box_head.layer4.0.conv1.weight");
        if (classes == null || classes.dimension() != 2 || fpn == c4) {
            throw new WeightsFormatException(source + " is not a Faster R-CNN state_dict (torchvision's FPN model or"
                    + " resnet4j's C4 model): keys like " + abbreviate(shapes.keySet()));
        }
        ResNetSpec spec = backbone(shapes, source);
        try {
            return fpn ? FasterRcnnConfig.fpn(spec.name(), (int) classes.get(0))
                    : FasterRcnnConfig.c4(spec.name(), (int) classes.get(0));
        } catch (IllegalArgumentException e) {
            throw new WeightsFormatException(source + ": " + e.getMessage());
        }
    }

    /** The bottleneck ResNet with as many units per stage as the tensors name. */
    private static ResNetSpec backbone(Map<String, Shape> shapes, String source) throws WeightsFormatException {
        int[] units = new int[4];
        for (String k : shapes.keySet()) {
            Matcher m = UNIT.matcher(k);
            if (m.find()) {
                int stage = Integer.parseInt(m.group(1)) - 1;
                if (stage >= 0 && stage < 4 && m.group(2).length() < 6) {
                    units[stage] = Math.max(units[stage], Integer.parseInt(m.group(2)) + 1);
                }
            }
        }
        List<Integer> blocks = List.of(units[0], units[1], units[2], units[3]);
        for (ResNetSpec s : ResNetFamily.all()) {
            if (s.blockType() == BlockType.BOTTLENECK && s.residual() && !s.preActivation() && s.blocks().equals(blocks)) {
                return s;
            }
        }
        throw new WeightsFormatException(source + ": its backbone has " + blocks + " units per stage, which is none of"
                + " resnet50 [3, 4, 6, 3], resnet101 [3, 4, 23, 3] or resnet152 [3, 8, 36, 3]");
    }

    private static Map<String, Shape> shapes(Map<String, NDArray> tensors) {
        Map<String, Shape> out = new LinkedHashMap<>();
        tensors.forEach((k, v) -> out.put(k, v.getShape()));
        return out;
    }

    /** COCO's names for 91 classes (torchvision's COCO models), else "class N" with entry 0 the background. */
    public static List<String> classNames(int classes) {
        if (classes == CocoCategories.COUNT) {
            return CocoCategories.names();
        }
        List<String> out = new ArrayList<>(List.of("__background__"));
        for (int i = 1; i < classes; i++) {
            out.add("class " + i);
        }
        return out;
    }

    static String describe(FasterRcnnConfig config) {
        return "Faster R-CNN " + config.architecture() + " on " + config.backbone() + " (" + config.numClasses()
                + " classes)";
    }

    private static String abbreviate(java.util.Collection<String> keys) {
        List<String> k = List.copyOf(keys);
        return k.size() <= 5 ? k.toString() : k.subList(0, 5) + " ... (" + k.size() + " keys)";
    }
}
