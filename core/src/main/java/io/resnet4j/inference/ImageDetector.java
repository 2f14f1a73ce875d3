package io.resnet4j.inference;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import io.resnet4j.detection.Detection;
import io.resnet4j.detection.ObjectDetector;
import io.resnet4j.detection.model.FasterRcnn;
import io.resnet4j.detection.model.FasterRcnnConfig;
import io.resnet4j.detection.model.FasterRcnnWeights;
import io.resnet4j.detection.ops.DetectionTransform;
import io.resnet4j.image.ImageLoader;
import io.resnet4j.model.GradMode;
import io.resnet4j.image.RgbImage;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A trained object detector ready to find objects in images: the one way to run detection, from a
 * Java program, from evaluation or from the command line.
 *
 * <pre>{@code
 * try (ImageDetector detector = ImageDetector.open("torchvision:fasterrcnn_resnet50_fpn", Device.cpu())) {
 *     for (Detection d : detector.detect(Path.of("street.jpg"))) {
 *         System.out.printf("%.3f %s %s%n", d.score(), d.name(), d.box());
 *     }
 * }
 * }</pre>
 *
 * Weights are resnet4j detector checkpoints (what {@code train --task detection} writes), torchvision
 * Faster R-CNN state_dicts ({@code .pth}, {@code .safetensors}) or {@code
 * torchvision:fasterrcnn_resnet50_fpn} (COCO, downloaded once and verified). Images run one at a
 * time on eager libtorch, each in its own native memory scope, released when its detections return.
 */
public final class ImageDetector implements ObjectDetector {

    private final NDManager manager;
    private final FasterRcnn net;
    private final ParameterStore parameters;
    private final List<String> classNames;
    private final boolean ownsManager;

    private ImageDetector(NDManager manager, FasterRcnn net, List<String> classNames, boolean ownsManager) {
        this.manager = manager;
        this.ownsManager = ownsManager;
        this.net = net;
        this.parameters = new ParameterStore(manager, false);
        this.classNames = List.copyOf(classNames);
    }

    /**
     * A detector over a network the caller keeps (a model in training, say): its arrays stay the
     * network's, and closing the detector leaves the network as it is.
     */
    public static ImageDetector of(FasterRcnn net, List<String> classNames) {
        if (classNames.size() != net.config().numClasses()) {
            throw new IllegalArgumentException(classNames.size() + " class names for a detector of "
                    + net.config().numClasses() + " classes (the background included)");
        }
        NDManager owner = net.stateDict().values().iterator().next().getArray().getManager();
        return new ImageDetector(owner, net, classNames, false);
    }

    /** Opens weights with the model's own settings on a device (null: the engine's default). */
    public static ImageDetector open(String weights, Device device) throws IOException {
        return builder(weights).device(device).open();
    }

    public static Builder builder(String weights) {
        return new Builder(weights);
    }

    @Override
    public List<String> classNames() {
        return classNames;
    }

    public FasterRcnnConfig config() {
        return net.config();
    }

    @Override
    public List<Detection> detect(BufferedImage image) {
        return detect(ImageLoader.toRgb(image));
    }

    /** Decodes an image file (default pixel limit) and detects objects in it. */
    public List<Detection> detect(Path image) throws IOException {
        return detect(ImageLoader.read(image));
    }

    /** Detections in the image's own pixels, best first. */
    public synchronized List<Detection> detect(RgbImage image) {
        GradMode.off(); // libtorch records gradients by default on threads where DJL's engine did not start
        try (NDManager scope = manager.newSubManager()) {
            DetectionTransform.Input input = net.config().transform().apply(scope, image);
            return net.detect(parameters, input).toDetections(classNames);
        }
    }

    @Override
    public synchronized void close() {
        if (ownsManager) {
            manager.close();
        }
    }

    /** Options for {@link #open}; unset values keep the weights' model settings. */
    public static final class Builder {
        private final String weights;
        private Device device;
        private Path cacheDir;
        private Float scoreThreshold;
        private Integer maxDetections;
        private Integer minSize;
        private Integer maxSize;

        private Builder(String weights) {
            this.weights = java.util.Objects.requireNonNull(weights,
                    "weights: a .pth/.safetensors file or torchvision:NAME");
        }

        public Builder device(Device d) {
            this.device = d;
            return this;
        }

        /** The torchvision download cache (default $RESNET4J_CACHE or ~/.cache/resnet4j/weights). */
        public Builder cacheDir(Path dir) {
            this.cacheDir = dir;
            return this;
        }

        /** Report detections scoring above this (torchvision's box_score_thresh, 0.05). */
        public Builder scoreThreshold(Float threshold) {
            this.scoreThreshold = threshold;
            return this;
        }

        /** Report at most this many detections per image (torchvision's detections_per_img, 100). */
        public Builder maxDetections(Integer n) {
            this.maxDetections = n;
            return this;
        }

        /** Resize the shorter side to this (800 for torchvision's models), the longer to at most {@code maxSize}. */
        public Builder minSize(Integer side) {
            this.minSize = side;
            return this;
        }

        public Builder maxSize(Integer side) {
            this.maxSize = side;
            return this;
        }

        /**
         * @throws IllegalArgumentException for a bad option value or a reference that is not a detector
         * @throws IOException when the weights cannot be read or do not describe a Faster R-CNN
         */
        public ImageDetector open() throws IOException {
            Device d = device != null ? device : Engine.getEngine("PyTorch").defaultDevice();
            NDManager manager = NDManager.newBaseManager(d, "PyTorch");
            try {
                FasterRcnnWeights.Loaded loaded = FasterRcnnWeights.load(weights, cacheDir, this::adjust, manager);
                return new ImageDetector(manager, loaded.net(), loaded.classNames(), true);
            } catch (IOException | RuntimeException | Error e) {
                manager.close();
                throw e;
            }
        }

        private FasterRcnnConfig adjust(FasterRcnnConfig c) {
            float score = scoreThreshold != null ? scoreThreshold : c.box().scoreThreshold();
            FasterRcnnConfig.Box box = c.box().withOutput(score,
                    maxDetections != null ? maxDetections : c.box().detectionsPerImage());
            DetectionTransform t = c.transform();
            int min = minSize != null ? minSize : t.minSize();
            int max = maxSize != null ? maxSize : Math.max(t.maxSize(), min);
            return c.withBox(box).withTransform(t.withSizes(min, max));
        }
    }
}
