package io.resnet4j.detection.eval;

import ai.djl.Device;
import io.resnet4j.detection.AnnotatedImage;
import io.resnet4j.detection.AnnotatedObject;
import io.resnet4j.detection.Detection;
import io.resnet4j.detection.DetectionDataset;
import io.resnet4j.detection.DetectorProvider;
import io.resnet4j.detection.ObjectDetector;
import io.resnet4j.detection.data.DetectionData;
import io.resnet4j.image.ImageLoader;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Test detectors that know the answers: they recognise each image of a data set by its pixels and
 * return its ground truth. Registered as a {@link DetectorProvider} for the test class path, so the
 * command line reaches them as {@code --weights oracle:ROOT} (every object) or {@code half:ROOT}
 * (every second object of each image, so a class's recall, and its VOC AP, is known).
 */
public final class OracleDetectors implements DetectorProvider {

    @Override
    public boolean accepts(String weights) {
        return weights.startsWith("oracle:") || weights.startsWith("half:");
    }

    @Override
    public ObjectDetector open(String weights, Device device) throws IOException {
        int colon = weights.indexOf(':');
        DetectionDataset data = DetectionData.open(Path.of(weights.substring(colon + 1)), "val", null);
        return new Oracle(data, weights.startsWith("half:"));
    }

    /** Returns the ground truth of the data set's image with these pixels (difficult objects left out). */
    static final class Oracle implements ObjectDetector {
        private final List<String> classNames;
        private final Map<Integer, AnnotatedImage> byPixels = new HashMap<>();
        private final boolean half;

        Oracle(DetectionDataset data, boolean half) throws IOException {
            this.classNames = data.classNames();
            this.half = half;
            for (AnnotatedImage im : data.images()) {
                byPixels.put(Arrays.hashCode(ImageLoader.read(im.file()).rgb()), im);
            }
        }

        @Override
        public List<Detection> detect(BufferedImage image) {
            AnnotatedImage im = byPixels.get(Arrays.hashCode(ImageLoader.toRgb(image).rgb()));
            List<Detection> out = new ArrayList<>();
            if (im == null) {
                return out;
            }
            for (int i = 0; i < im.objects().size(); i++) {
                AnnotatedObject o = im.objects().get(i);
                if (!o.difficult() && !(half && i % 2 == 1)) {
                    out.add(new Detection(o.box(), o.label(), classNames.get(o.label()), 0.99f - 0.01f * i));
                }
            }
            return out;
        }

        @Override
        public List<String> classNames() {
            return classNames;
        }

        @Override
        public void close() {}
    }
}
