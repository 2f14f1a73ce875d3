package io.resnet4j.detection;

import ai.djl.Device;
import java.io.IOException;

/**
 * Opens detectors from the weights a user names, for {@link Detectors}. The detection models
 * register theirs in {@code META-INF/services/io.resnet4j.detection.DetectorProvider}, so the
 * commands that take {@code --weights} (eval, detect) reach every kind of detector through one call
 * without depending on the model code.
 */
public interface DetectorProvider {

    /** Whether this provider reads {@code weights}: a file, or a name such as {@code torchvision:fasterrcnn_resnet50_fpn}. */
    boolean accepts(String weights);

    /**
     * @throws IOException naming the weights when they cannot be read
     */
    ObjectDetector open(String weights, Device device) throws IOException;
}
