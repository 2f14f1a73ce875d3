package io.resnet4j.model;

import java.util.List;

/**
 * A Table-1-like breakdown: per stage the output size, units, parameters and multiply-adds.
 *
 * @param config the configuration described
 * @param rows stem, one row per stage, and the classifier head
 */
public record ModelStats(ResNetConfig config, List<Row> rows) {

    /**
     * @param layer the paper's layer name (conv1, conv2_x, ..., fc)
     * @param outputSize spatial side of the output map
     * @param outputChannels channels of the output map
     * @param blocks units in the stage (0 for stem and head)
     * @param params trainable parameters
     * @param macs multiply-adds of convolutions and the classifier for one image
     * @param layout the paper's bracket notation of the layers
     */
    public record Row(String layer, int outputSize, int outputChannels, int blocks, long params, long macs, String layout) {}

    public ModelStats {
        rows = List.copyOf(rows);
    }

    public long totalParams() {
        return rows.stream().mapToLong(Row::params).sum();
    }

    public long totalMacs() {
        return rows.stream().mapToLong(Row::macs).sum();
    }
}
