package io.resnet4j.model;

import java.util.List;
import java.util.Objects;

/**
 * One row of the model table: everything that distinguishes one named network from another.
 * Options a user may change per instance (shortcut, stride placement, classes, input size) live
 * in {@link ResNetConfig}; the spec only supplies their defaults.
 *
 * @param name the model's name, e.g. {@code resnet50}
 * @param stem ImageNet (7x7/2 + max-pool) or CIFAR (3x3) stem
 * @param stemChannels output channels of the stem convolution
 * @param blockType basic or bottleneck units
 * @param blocks units per stage
 * @param widths base width per stage (a stage's output has {@code width * expansion} channels)
 * @param residual false for the plain counterparts (no shortcuts at all)
 * @param preActivation true for the 2016 follow-up's BN-ReLU-conv units
 * @param defaultShortcut the paper's choice for this row
 * @param defaultInputSize side of the square input the paper uses
 * @param defaultClasses classes of the dataset the paper trains it on
 * @param description one line for listings
 */
public record ResNetSpec(
        String name,
        Stem stem,
        int stemChannels,
        BlockType blockType,
        List<Integer> blocks,
        List<Integer> widths,
        boolean residual,
        boolean preActivation,
        Shortcut defaultShortcut,
        int defaultInputSize,
        int defaultClasses,
        String description) {

    /**
     * Limits on what a spec may ask for. Specs come from files too (checkpoint metadata, shapes of a
     * foreign state_dict), and a spec is built before any weight is compared, so each limit sits
     * well above the table (ResNet-1202: 200 units a stage, 600 in all; widths up to 512) but far
     * below what exhausts memory.
     */
    public static final int MAX_STAGES = 8;
    public static final int MAX_UNITS_PER_STAGE = 1000;
    public static final int MAX_UNITS = 2000;
    public static final int MAX_WIDTH = 4096;

    public ResNetSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(stem, "stem");
        Objects.requireNonNull(blockType, "blockType");
        blocks = List.copyOf(blocks);
        widths = List.copyOf(widths);
        if (blocks.isEmpty() || blocks.size() != widths.size()) {
            throw new IllegalArgumentException(
                    name + ": blocks " + blocks + " and widths " + widths + " must be non-empty lists of equal length");
        }
        for (int i = 0; i < blocks.size(); i++) {
            if (blocks.get(i) < 1 || widths.get(i) < 1) {
                throw new IllegalArgumentException(
                        name + ": every stage needs at least one unit of width >= 1, got blocks " + blocks
                                + " widths " + widths);
            }
        }
        if (stemChannels < 1 || defaultInputSize < 1 || defaultClasses < 1) {
            throw new IllegalArgumentException(name + ": stem channels, input size and classes must be positive");
        }
        checkLimits(name, stemChannels, blocks, widths);
    }

    private static void checkLimits(String name, int stemChannels, List<Integer> blocks, List<Integer> widths) {
        int units = blocks.stream().mapToInt(Integer::intValue).sum();
        int widest = Math.max(stemChannels, widths.stream().mapToInt(Integer::intValue).max().orElse(0));
        int longest = blocks.stream().mapToInt(Integer::intValue).max().orElse(0);
        if (blocks.size() > MAX_STAGES || longest > MAX_UNITS_PER_STAGE || units > MAX_UNITS || widest > MAX_WIDTH) {
            throw new IllegalArgumentException(name + ": blocks " + abbreviate(blocks) + " and widths "
                    + abbreviate(widths) + " exceed resnet4j's limits (at most " + MAX_STAGES + " stages, "
                    + MAX_UNITS_PER_STAGE + " units a stage, " + MAX_UNITS + " units, width " + MAX_WIDTH + ")");
        }
    }

    /** A list for a message: a crafted spec may list thousands of stages. */
    private static String abbreviate(List<Integer> values) {
        return values.size() <= 8 ? values.toString() : values.subList(0, 8) + "... (" + values.size() + " stages)";
    }

    /** Weighted layers as the paper counts depth: stem conv + branch convs + the classifier. */
    public int depth() {
        int units = blocks.stream().mapToInt(Integer::intValue).sum();
        return units * blockType.kernels().size() + 2;
    }

    /** Whether the stem convolution is followed by BN and ReLU (not so for the pre-activation CIFAR nets,
     * whose first unit starts with BN-ReLU, as in the 2016 paper's code). */
    public boolean stemNorm() {
        return !(preActivation && stem == Stem.CIFAR);
    }

    /** Number of stages. */
    public int stages() {
        return blocks.size();
    }
}
