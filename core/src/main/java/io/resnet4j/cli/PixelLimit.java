package io.resnet4j.cli;

import io.resnet4j.image.ImageLoader;
import picocli.CommandLine.Option;

/** {@code --max-pixels}, shared by the commands that decode images. */
final class PixelLimit {

    @Option(names = "--max-pixels", paramLabel = "N", defaultValue = "89478485",
            description = "Skip images larger than N pixels (width x height), checked before decoding (default:"
                    + " ${DEFAULT-VALUE}, PIL's decompression-bomb limit).")
    long maxPixels;

    /** The limit, checked: above {@link ImageLoader#MAX_PIXELS_LIMIT} a decoded image no longer fits a Java array. */
    long value() {
        if (maxPixels < 1 || maxPixels > ImageLoader.MAX_PIXELS_LIMIT) {
            throw new UsageException("--max-pixels must be 1 to " + ImageLoader.MAX_PIXELS_LIMIT + ", got " + maxPixels);
        }
        return maxPixels;
    }
}
