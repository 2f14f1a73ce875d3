package io.resnet4j.cli;

import io.resnet4j.image.ImageLoader;
import picocli.CommandLine.Option;

/** {@code --max-pixels}, shared by the commands that decode images. */
final class PixelLimit {

    @Option(names = "--max-pixels", paramLabel = "N", defaultValue = "89478485",
            description = "Skip images larger than N pixels (width x height), checked before decoding (default:"
                    + " ${DEFAULT-VALUE}, PIL's decompression-bomb limit).")
    long maxPixels;

    /** The limit; {@link OptionRanges} keeps it at most {@link ImageLoader#MAX_PIXELS_LIMIT}, where a decoded image still fits a Java array. */
    long value() {
        return maxPixels;
    }
}
