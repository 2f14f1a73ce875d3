package io.resnet4j.cli;

import picocli.CommandLine.Option;

/** How images become network input in the commands that run images through a network. */
final class ImageInputOptions {

    @Option(names = "--resize", paramLabel = "SIDE",
            description = "Resize the shorter side to SIDE first (default: the checkpoint's, 256 for torchvision; 0 = no resize).")
    Integer resize;

    @Option(names = "--crop", paramLabel = "SIDE", description = "Centre crop side (default: the checkpoint's, 224 for torchvision).")
    Integer crop;

    @Option(names = "--batch-size", paramLabel = "N",
            description = "Images per forward pass (default: from the input size and the free memory; at most the batch"
                    + " an export is fixed to).")
    Integer batchSize;
}
