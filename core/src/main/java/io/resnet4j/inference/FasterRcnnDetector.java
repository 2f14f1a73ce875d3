package io.resnet4j.inference;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import io.resnet4j.detection.Detection;
import io.resnet4j.detection.ObjectDetector;
import io.resnet4j.detection.model.FasterRcnn;
import io.resnet4j.detection.ops.DetectionTransform;
import io.resnet4j.image.ImageLoader;
import io.resnet4j.detection.model.DetectorCheckpoint;
import io.resnet4j.model.GradMode;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A Faster R-CNN as an {@link ObjectDetector}: each image resized and normalised by the detector's own
 * transform, detected in one pass (libtorch, eager), boxes back in the image's pixels, best first.
 *
 * <pre>{@code
 * try (ObjectDetector detector = FasterRcnnDetector.open(Path.of("run/model.safetensors"), Device.cpu())) {
 *     for (Detection d : detector.detect(ImageIO.read(file))) { ... }
 * }
 * }</pre>
 *
 * One image at a time: calls from several threads take turns.
 */
public final class FasterRcnnDetector implements ObjectDetector {

    private final FasterRcnn net;
    private final List<String> classNames;
    private final NDManager manager;
    private final boolean ownsManager;
    private final ParameterStore parameterStore;

    private FasterRcnnDetector(FasterRcnn net, List<String> classNames, NDManager manager, boolean ownsManager) {
        if (classNames.size() != net.config().numClasses()) {
            throw new IllegalArgumentException(classNames.size() + " class names for a detector of "
                    + net.config().numClasses() + " classes (the background included)");
        }
        this.net = net;
        this.classNames = List.copyOf(classNames);
        this.manager = manager;
        this.ownsManager = ownsManager;
        this.parameterStore = new ParameterStore(manager, false);
    }

    /**
     * A detector over a network the caller keeps (a model in training, say); closing the detector
     * leaves the network as it is.
     */
    public static FasterRcnnDetector of(FasterRcnn net, List<String> classNames) {
        NDManager m = net.stateDict().values().iterator().next().getArray().getManager();
        return new FasterRcnnDetector(net, classNames, m, false);
    }

    /** Opens a resnet4j detector checkpoint on a device. */
    public static FasterRcnnDetector open(Path checkpoint, Device device) throws IOException {
        NDManager m = NDManager.newBaseManager(device);
        try {
            DetectorCheckpoint.Loaded loaded = DetectorCheckpoint.load(checkpoint, m);
            return new FasterRcnnDetector(loaded.net(), loaded.info().classNames(), m, true);
        } catch (IOException | RuntimeException e) {
            m.close();
            throw e;
        }
    }

    @Override
    public synchronized List<Detection> detect(BufferedImage image) {
        GradMode.off();
        DetectionTransform transform = net.config().transform();
        try (NDManager scope = manager.newSubManager()) {
            DetectionTransform.Input input = transform.apply(scope, ImageLoader.toRgb(image));
            return net.detect(parameterStore, input).toDetections(classNames);
        }
    }

    @Override
    public List<String> classNames() {
        return classNames;
    }

    @Override
    public void close() {
        if (ownsManager) {
            manager.close();
        }
    }
}
