package io.resnet4j.inference;

import ai.djl.Device;
import io.resnet4j.detection.DetectorProvider;
import io.resnet4j.detection.ObjectDetector;
import io.resnet4j.io.TorchvisionWeights;
import java.io.IOException;
import java.util.Locale;

/**
 * Opens Faster R-CNN weights as {@link ImageDetector}s wherever a detector is asked for by
 * {@code --weights}: resnet4j detector checkpoints (what {@code train --task detection} writes),
 * torchvision state_dicts ({@code .pth}, {@code .safetensors}) and {@code torchvision:} detection
 * references.
 */
public final class FasterRcnnProvider implements DetectorProvider {

    @Override
    public boolean accepts(String weights) {
        if (TorchvisionWeights.isReference(weights)) {
            try {
                return TorchvisionWeights.parse(weights).task() == TorchvisionWeights.Task.DETECTION;
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
        String name = weights.toLowerCase(Locale.ROOT);
        return name.endsWith(".safetensors") || name.endsWith(".pth") || name.endsWith(".pt");
    }

    @Override
    public ObjectDetector open(String weights, Device device) throws IOException {
        return ImageDetector.open(weights, device);
    }
}
