package io.resnet4j.detection;

import java.awt.image.BufferedImage;
import java.util.List;

/**
 * A trained detector as evaluation, serving and the command line see it: an image in, detections
 * in the image's own pixel coordinates out, sorted by descending score.
 */
public interface ObjectDetector extends AutoCloseable {

    List<Detection> detect(BufferedImage image);

    /** Names by label; entry 0 is the background. */
    List<String> classNames();

    @Override
    void close();
}
