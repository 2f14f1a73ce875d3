package io.resnet4j.inference;

import ai.djl.Device;
import io.resnet4j.detection.DetectorProvider;
import io.resnet4j.detection.ObjectDetector;
import io.resnet4j.detection.model.DetectorCheckpoint;
import java.io.IOException;
import java.nio.file.Path;

/** Opens resnet4j's own detector checkpoints (what {@code train --task detection} writes) for {@code --weights}. */
public final class DetectorCheckpoints implements DetectorProvider {

    @Override
    public boolean accepts(String weights) {
        try {
            return weights.endsWith(".safetensors") && DetectorCheckpoint.isDetectorCheckpoint(Path.of(weights));
        } catch (java.nio.file.InvalidPathException e) {
            return false;
        }
    }

    @Override
    public ObjectDetector open(String weights, Device device) throws IOException {
        return FasterRcnnDetector.open(Path.of(weights), device);
    }
}
