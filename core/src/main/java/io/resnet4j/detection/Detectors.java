package io.resnet4j.detection;

import ai.djl.Device;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/** Opens a detector from weights through the first registered {@link DetectorProvider} that accepts them. */
public final class Detectors {

    private Detectors() {}

    /**
     * @throws IllegalArgumentException when no provider reads these weights (a usage error: the
     *     message lists what the providers on the class path are)
     */
    public static ObjectDetector open(String weights, Device device) throws IOException {
        List<String> providers = new ArrayList<>();
        for (DetectorProvider p : ServiceLoader.load(DetectorProvider.class)) {
            if (p.accepts(weights)) {
                return p.open(weights, device);
            }
            providers.add(p.getClass().getSimpleName());
        }
        throw new IllegalArgumentException("no detector reads the weights '" + weights + "' (detector providers on the"
                + " class path: " + (providers.isEmpty() ? "none" : String.join(", ", providers)) + ")");
    }
}
