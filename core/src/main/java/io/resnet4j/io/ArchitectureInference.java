package io.resnet4j.io;

import ai.djl.ndarray.types.Shape;
import io.resnet4j.model.BlockType;
import io.resnet4j.model.ResNetConfig;
import io.resnet4j.model.ResNetFamily;
import io.resnet4j.model.ResNetSpec;
import io.resnet4j.model.Shortcut;
import io.resnet4j.model.Stem;
import io.resnet4j.model.StridePlacement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Recognises which network of {@link ResNetFamily} a state_dict belongs to from its tensor names
 * and shapes alone: the stem kernel (7x7 ImageNet, 3x3 CIFAR), the units per stage ({@code
 * layerS.I.*}), the block type ({@code conv3} exists only in bottlenecks), the widths, whether
 * the net is pre-activation (a final {@code norm}), the shortcut option (projections where the
 * dimensions change: B; on every unit: C; none: A) and the classes ({@code fc.weight}).
 *
 * <p>What weights cannot tell: the bottleneck stride placement (same shapes either way) and a plain
 * net from an option-A residual net (neither has shortcut parameters). The first is the caller's
 * default ({@code 3x3} for torchvision/timm files); the second resolves to the residual net, and
 * {@code --model plainN} selects the plain one.
 */
public final class ArchitectureInference {

    private static final Pattern UNIT = Pattern.compile("^layer(\\d{1,6})\\.(\\d{1,6})\\.");

    private ArchitectureInference() {}

    /** What the tensor names and shapes say, for messages. */
    public record Found(Stem stem, int stemChannels, BlockType blockType, List<Integer> blocks, List<Integer> widths,
            boolean preActivation, Shortcut shortcut, int classes) {
        @Override
        public String toString() {
            return (stem == Stem.IMAGENET ? "7x7 stem (ImageNet)" : "3x3 stem (CIFAR)") + ", "
                    + blockType.name().toLowerCase(java.util.Locale.ROOT) + " units " + blocks + ", widths " + widths
                    + (preActivation ? ", pre-activation" : "") + ", shortcut " + shortcut + ", " + classes + " classes";
        }
    }

    /**
     * @param shapes tensor shapes by (normalised) torchvision name
     * @param source the file, for messages
     * @param stridePlacement bottleneck stride placement to assume
     * @throws WeightsFormatException naming what was found when no model of the table matches
     */
    public static ResNetConfig infer(Map<String, Shape> shapes, String source, StridePlacement stridePlacement)
            throws WeightsFormatException {
        Found f = describe(shapes, source);
        for (ResNetSpec spec : ResNetFamily.all()) {
            if (spec.stem() == f.stem() && spec.stemChannels() == f.stemChannels() && spec.blockType() == f.blockType()
                    && spec.blocks().equals(f.blocks()) && spec.widths().equals(f.widths())
                    && spec.preActivation() == f.preActivation() && spec.residual()) {
                try {
                    ResNetConfig c = ResNetConfig.of(spec).withShortcut(f.shortcut()).withClasses(f.classes());
                    return spec.blockType() == BlockType.BOTTLENECK ? c.withStridePlacement(stridePlacement) : c;
                } catch (IllegalArgumentException e) {
                    throw new WeightsFormatException(source + ": " + e.getMessage());
                }
            }
        }
        // Not a row of the table (e.g. other widths): the builder takes any spec, so the file still loads.
        int depth = f.blocks().stream().mapToInt(Integer::intValue).sum() * f.blockType().kernels().size() + 2;
        try {
            ResNetSpec custom = new ResNetSpec("custom-" + (f.preActivation() ? "preact-" : "") + "resnet" + depth,
                    f.stem(), f.stemChannels(), f.blockType(), f.blocks(), f.widths(), true, f.preActivation(),
                    f.shortcut(), f.stem() == Stem.IMAGENET ? 224 : 32, f.classes(), "inferred from " + source + ": " + f);
            ResNetConfig c = ResNetConfig.of(custom);
            return f.blockType() == BlockType.BOTTLENECK ? c.withStridePlacement(stridePlacement) : c;
        } catch (IllegalArgumentException e) {
            throw new WeightsFormatException(source + ": its tensor names and shapes describe no buildable ResNet: "
                    + e.getMessage());
        }
    }

    /** Reads the architecture facts off the tensor names and shapes. */
    public static Found describe(Map<String, Shape> shapes, String source) throws WeightsFormatException {
        Shape stemConv = shapes.get("conv1.weight");
        Shape fc = shapes.get("fc.weight");
        if (stemConv == null || stemConv.dimension() != 4 || fc == null || fc.dimension() != 2) {
            throw new WeightsFormatException(source + " does not look like a torchvision-style ResNet state_dict:"
                    + " it has no " + (stemConv == null ? "conv1.weight" : "fc.weight") + " (tensor names start with "
                    + shapes.keySet().stream().limit(5).toList() + "); pass --model, or check the file");
        }
        Stem stem;
        if (stemConv.get(2) == 7) {
            stem = Stem.IMAGENET;
        } else if (stemConv.get(2) == 3) {
            stem = Stem.CIFAR;
        } else {
            throw new WeightsFormatException(source + ": the stem convolution conv1.weight is " + stemConv
                    + "; resnet4j knows 7x7 (ImageNet) and 3x3 (CIFAR) stems");
        }
        TreeMap<Integer, Integer> units = new TreeMap<>();
        boolean bottleneck = false;
        int projections = 0;
        int unitCount = 0;
        for (String key : shapes.keySet()) {
            Matcher m = UNIT.matcher(key);
            if (m.find()) {
                units.merge(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)) + 1, Math::max);
                bottleneck |= key.endsWith(".conv3.weight");
                if (key.endsWith(".downsample.0.weight")) {
                    projections++;
                }
                if (key.endsWith(".conv1.weight")) {
                    unitCount++;
                }
            }
        }
        List<Integer> blocks = new ArrayList<>();
        List<Integer> widths = new ArrayList<>();
        for (int s = 1; s <= units.size(); s++) {
            Shape first = shapes.get("layer" + s + ".0.conv1.weight");
            if (!units.containsKey(s) || first == null) {
                throw new WeightsFormatException(source + ": stage layer" + s + " is missing or has no conv1 ("
                        + "stages found: " + units.keySet() + ")");
            }
            blocks.add(units.get(s));
            widths.add((int) first.get(0));
        }
        boolean preact = shapes.containsKey("norm.weight");
        Shortcut shortcut = projections == 0 ? Shortcut.A : projections == unitCount ? Shortcut.C : Shortcut.B;
        return new Found(stem, (int) stemConv.get(0), bottleneck ? BlockType.BOTTLENECK : BlockType.BASIC, blocks,
                widths, preact, shortcut, (int) fc.get(0));
    }
}
