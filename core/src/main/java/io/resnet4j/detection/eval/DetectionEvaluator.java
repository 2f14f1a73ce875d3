package io.resnet4j.detection.eval;

import io.resnet4j.detection.AnnotatedImage;
import io.resnet4j.detection.Detection;
import io.resnet4j.detection.DetectionDataset;
import io.resnet4j.detection.ObjectDetector;
import io.resnet4j.image.ImageLoader;
import io.resnet4j.image.RgbImage;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Runs a detector over a data set and scores it. One image is in memory at a time, and the metric
 * keeps a few numbers per detection, so memory does not grow with the images' size. An image that
 * cannot be read is skipped and reported, as everywhere in resnet4j; its objects then do not count.
 * The detector's classes are matched to the data set's by name, so a detector whose label order
 * differs (or that knows more classes) is scored correctly; its other classes are not scored.
 */
public final class DetectionEvaluator {

    /** What a caller hears while the evaluation runs. */
    public interface Progress {
        void image(int done, int total);

        void skipped(AnnotatedImage image, String reason);

        static Progress none() {
            return new Progress() {
                @Override
                public void image(int done, int total) {}

                @Override
                public void skipped(AnnotatedImage image, String reason) {}
            };
        }
    }

    /**
     * The scores, the images skipped and the classes no detection can match.
     *
     * @param skipped for each image skipped, one line naming it and why
     * @param classesNotDetected the data set's classes the detector has no class of the same name for:
     *     their objects are never found, so they score 0 and lower the mean
     */
    public record Result(DetectionScores scores, List<String> skipped, List<String> classesNotDetected) {

        public Result {
            skipped = List.copyOf(skipped);
            classesNotDetected = List.copyOf(classesNotDetected);
        }
    }

    private DetectionEvaluator() {}

    /**
     * @param maxPixels images larger than this are skipped unread (a decompression bomb)
     * @throws IllegalArgumentException when the detector and the data set share no class name
     */
    public static Result evaluate(ObjectDetector detector, DetectionDataset data, MetricKind kind, long maxPixels,
            Progress progress) {
        int[] labels = labelMap(detector.classNames(), data.classNames());
        DetectionMetric metric = kind.create(data.classNames());
        List<String> skipped = new ArrayList<>();
        List<AnnotatedImage> images = data.images();
        for (int i = 0; i < images.size(); i++) {
            AnnotatedImage image = images.get(i);
            BufferedImage pixels;
            try {
                pixels = toImage(ImageLoader.read(image.file(), maxPixels, warning -> {}));
            } catch (IOException e) {
                String reason = ImageLoader.describe(e);
                skipped.add(image.file() + ": " + reason);
                progress.skipped(image, reason);
                progress.image(i + 1, images.size());
                continue;
            }
            metric.add(image, relabel(detector.detect(pixels), labels, data.classNames()));
            progress.image(i + 1, images.size());
        }
        return new Result(metric.result(), skipped, classesNotDetected(detector.classNames(), data.classNames()));
    }

    /** For each detector label, the data set's label of the same name, or -1. */
    static int[] labelMap(List<String> detectorClasses, List<String> dataClasses) {
        int[] map = new int[detectorClasses.size()];
        Arrays.fill(map, -1);
        boolean any = false;
        for (int l = 1; l < detectorClasses.size(); l++) {
            int d = dataClasses.indexOf(detectorClasses.get(l));
            if (d > 0) {
                map[l] = d;
                any = true;
            }
        }
        if (!any) {
            throw new IllegalArgumentException("the detector's classes " + preview(detectorClasses) + " share no name"
                    + " with the data set's " + preview(dataClasses) + "; evaluate it on data with its classes");
        }
        return map;
    }

    /** The data set's class names (past the background) that the detector does not have. */
    static List<String> classesNotDetected(List<String> detectorClasses, List<String> dataClasses) {
        List<String> missing = new ArrayList<>();
        for (String name : dataClasses.subList(Math.min(1, dataClasses.size()), dataClasses.size())) {
            if (detectorClasses.indexOf(name) < 1) {
                missing.add(name);
            }
        }
        return missing;
    }

    private static String preview(List<String> names) {
        List<String> real = names.subList(Math.min(1, names.size()), names.size());
        return real.size() <= 6 ? real.toString() : real.subList(0, 6) + " and " + (real.size() - 6) + " more";
    }

    private static List<Detection> relabel(List<Detection> detections, int[] map, List<String> dataClasses) {
        List<Detection> out = new ArrayList<>(detections.size());
        for (Detection d : detections) {
            int l = d.label() >= 0 && d.label() < map.length ? map[d.label()] : -1;
            if (l > 0) {
                out.add(l == d.label() ? d : new Detection(d.box(), l, dataClasses.get(l), d.score()));
            }
        }
        return out;
    }

    private static BufferedImage toImage(RgbImage rgb) {
        BufferedImage img = new BufferedImage(rgb.width(), rgb.height(), BufferedImage.TYPE_INT_RGB);
        int[] row = new int[rgb.width()];
        byte[] b = rgb.rgb();
        for (int y = 0; y < rgb.height(); y++) {
            for (int x = 0; x < rgb.width(); x++) {
                int k = (y * rgb.width() + x) * 3;
                row[x] = (b[k] & 0xFF) << 16 | (b[k + 1] & 0xFF) << 8 | b[k + 2] & 0xFF;
            }
            img.setRGB(0, y, rgb.width(), 1, row, 0, rgb.width());
        }
        return img;
    }
}
