package io.resnet4j.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The table of named networks: one line per variant, all built by the same builder ({@link ResNet#builder()}).
 * ImageNet rows follow Table 1 of He et al. (2015); CIFAR rows follow section 4.2 (depth 6n+2);
 * "plain" rows are the same nets without shortcuts; "preact" rows follow He et al. (2016),
 * "Identity Mappings in Deep Residual Networks".
 */
public final class ResNetFamily {

    private static final List<Integer> IMAGENET_WIDTHS = List.of(64, 128, 256, 512);
    private static final List<Integer> CIFAR_WIDTHS = List.of(16, 32, 64);

    private static final Map<String, ResNetSpec> SPECS = new LinkedHashMap<>();

    static {
        // ImageNet, Table 1.
        imagenet("resnet18", BlockType.BASIC, true, false, 2, 2, 2, 2);
        imagenet("resnet34", BlockType.BASIC, true, false, 3, 4, 6, 3);
        imagenet("resnet50", BlockType.BOTTLENECK, true, false, 3, 4, 6, 3);
        imagenet("resnet101", BlockType.BOTTLENECK, true, false, 3, 4, 23, 3);
        imagenet("resnet152", BlockType.BOTTLENECK, true, false, 3, 8, 36, 3);
        // CIFAR-10, section 4.2: n units per stage, depth 6n+2.
        for (int n : new int[] {3, 5, 7, 9, 18, 200}) {
            cifar("resnet" + (6 * n + 2), BlockType.BASIC, true, false, Shortcut.A, n);
        }
        // Plain counterparts (Table 2, Figure 6).
        imagenet("plain18", BlockType.BASIC, false, false, 2, 2, 2, 2);
        imagenet("plain34", BlockType.BASIC, false, false, 3, 4, 6, 3);
        for (int n : new int[] {3, 5, 7, 9, 18}) {
            cifar("plain" + (6 * n + 2), BlockType.BASIC, false, false, Shortcut.A, n);
        }
        // Pre-activation (2016): ImageNet rows keep Table 1's stage layout; preact-resnet200 is [3,24,36,3].
        imagenet("preact-resnet18", BlockType.BASIC, true, true, 2, 2, 2, 2);
        imagenet("preact-resnet34", BlockType.BASIC, true, true, 3, 4, 6, 3);
        imagenet("preact-resnet50", BlockType.BOTTLENECK, true, true, 3, 4, 6, 3);
        imagenet("preact-resnet101", BlockType.BOTTLENECK, true, true, 3, 4, 23, 3);
        imagenet("preact-resnet152", BlockType.BOTTLENECK, true, true, 3, 8, 36, 3);
        imagenet("preact-resnet200", BlockType.BOTTLENECK, true, true, 3, 24, 36, 3);
        // CIFAR pre-activation: 110 (basic, 6n+2, n=18); 164 and 1001 (bottleneck, 9n+2, n=18 and 111).
        // The 2016 paper's CIFAR code projects the shortcut where dimensions change (option B).
        cifar("preact-resnet110", BlockType.BASIC, true, true, Shortcut.B, 18);
        cifar("preact-resnet164", BlockType.BOTTLENECK, true, true, Shortcut.B, 18);
        cifar("preact-resnet1001", BlockType.BOTTLENECK, true, true, Shortcut.B, 111);
    }

    private ResNetFamily() {}

    private static void imagenet(String name, BlockType type, boolean residual, boolean preact, int... blocks) {
        List<Integer> b = java.util.Arrays.stream(blocks).boxed().collect(Collectors.toList());
        add(new ResNetSpec(name, Stem.IMAGENET, 64, type, b, IMAGENET_WIDTHS, residual, preact, Shortcut.B, 224, 1000,
                describe("ImageNet", type, residual, preact, b)));
    }

    private static void cifar(String name, BlockType type, boolean residual, boolean preact, Shortcut shortcut, int n) {
        List<Integer> b = List.of(n, n, n);
        add(new ResNetSpec(name, Stem.CIFAR, 16, type, b, CIFAR_WIDTHS, residual, preact, shortcut, 32, 10,
                describe("CIFAR", type, residual, preact, b)));
    }

    private static String describe(String family, BlockType type, boolean residual, boolean preact, List<Integer> b) {
        String kind = !residual ? "plain" : preact ? "pre-activation residual" : "residual";
        return family + " " + kind + ", " + type.name().toLowerCase(java.util.Locale.ROOT) + " units " + b;
    }

    private static void add(ResNetSpec spec) {
        if (SPECS.put(spec.name(), spec) != null) {
            throw new IllegalStateException("duplicate model name " + spec.name());
        }
    }

    /** Every named model, in table order. */
    public static List<ResNetSpec> all() {
        return Collections.unmodifiableList(new ArrayList<>(SPECS.values()));
    }

    /** The names of every model, in table order. */
    public static List<String> names() {
        return List.copyOf(SPECS.keySet());
    }

    public static Optional<ResNetSpec> find(String name) {
        return Optional.ofNullable(SPECS.get(name == null ? null : name.trim().toLowerCase(java.util.Locale.ROOT)));
    }

    /**
     * The spec of a named model.
     *
     * @throws IllegalArgumentException naming the valid models when the name is unknown
     */
    public static ResNetSpec get(String name) {
        return find(name).orElseThrow(() -> new IllegalArgumentException(
                "unknown model '" + name + "': valid models are " + String.join(", ", SPECS.keySet())));
    }
}
