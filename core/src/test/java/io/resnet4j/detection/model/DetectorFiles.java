package io.resnet4j.detection.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.resnet4j.io.SafeTensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A fasterrcnn_resnet50_fpn state_dict with the formula weights, written once per test JVM (167 MB)
 * for the tests that load weights from files.
 */
public final class DetectorFiles {

    private static Path fpn;

    private DetectorFiles() {}

    /** The COCO-shaped model (91 classes) as a torchvision-named safetensors file. */
    public static synchronized Path fpnResnet50() throws IOException {
        if (fpn == null) {
            Path dir = Files.createTempDirectory("resnet4j-detector");
            dir.toFile().deleteOnExit();
            Path file = dir.resolve("fasterrcnn_resnet50_fpn_formula.safetensors");
            write(FasterRcnnConfig.fpn("resnet50", 91), file);
            file.toFile().deleteOnExit();
            fpn = file;
        }
        return fpn;
    }

    /** Writes a model of the configuration with the formula weights under torchvision's names. */
    public static void write(FasterRcnnConfig config, Path file) throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            FasterRcnn net = new FasterRcnn(config).initialize(m);
            FormulaWeights.fill(net, m);
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            net.stateDict().forEach((k, p) -> tensors.put(k, p.getArray()));
            SafeTensors.write(file, tensors, Map.of());
        }
    }
}
