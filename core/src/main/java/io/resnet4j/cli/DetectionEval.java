package io.resnet4j.cli;

import ai.djl.Device;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.resnet4j.detection.AnnotatedImage;
import io.resnet4j.detection.DetectionDataset;
import io.resnet4j.detection.Detectors;
import io.resnet4j.detection.ObjectDetector;
import io.resnet4j.detection.data.CocoDataset;
import io.resnet4j.detection.data.DetectionData;
import io.resnet4j.detection.eval.ClassScore;
import io.resnet4j.detection.eval.CocoSummary;
import io.resnet4j.detection.eval.DetectionEvaluator;
import io.resnet4j.detection.eval.DetectionScores;
import io.resnet4j.detection.eval.MetricKind;
import io.resnet4j.io.PrintableText;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * {@code resnet4j eval --task detection}: a detector's VOC or COCO scores on a Pascal VOC or COCO
 * data set. The detector comes from {@link Detectors}, the scores from {@link DetectionEvaluator};
 * this class only reads the options and prints.
 */
final class DetectionEval {

    @Option(names = "--task", paramLabel = "classification|detection", defaultValue = "classification",
            description = "classification or detection (default: ${DEFAULT-VALUE}). Detection: --data is a Pascal VOC"
                    + " root (--split val by default) or a COCO root (annotations/instances_SPLIT.json).")
    String task;

    @Option(names = "--metric", paramLabel = "voc07|voc|coco",
            description = "Detection: voc07 (11-point AP@0.5, VOC2007), voc (area under the curve, VOC2010+) or coco"
                    + " (AP@[.5:.95], AP50, AP75, small/medium/large, AR) (default: voc07 on VOC data, coco on COCO data).")
    String metric;

    /** Whether the command was asked for detection, and is well formed for it. */
    boolean requested() {
        return switch (task) {
            case "classification" -> {
                if (metric != null) {
                    throw new UsageException("--metric is for --task detection");
                }
                yield false;
            }
            case "detection" -> true;
            default -> throw new UsageException("--task is classification or detection, got " + task);
        };
    }

    int run(EvalCommand eval, Device device, long maxPixels, PrintWriter out, PrintWriter err) throws Exception {
        if (!Files.isDirectory(eval.data)) {
            throw new UsageException("--data " + eval.data + " is not a folder; detection needs a Pascal VOC or COCO root");
        }
        DetectionDataset data = DetectionData.open(eval.data, eval.split, CocoDataset.Labels.CATEGORY_IDS);
        if (data.images().isEmpty()) {
            throw new UsageException("the split" + (eval.split == null ? "" : " '" + eval.split + "'") + " of " + eval.data
                    + " lists no images; there is nothing to score (choose another with --split)");
        }
        MetricKind kind = UsageException.rethrowUnchecked(() -> metric != null ? MetricKind.parse(metric)
                : data instanceof CocoDataset ? MetricKind.COCO : MetricKind.VOC07);
        DetectionEvaluator.Result r;
        try (ObjectDetector detector = UsageException.rethrow(() -> Detectors.open(eval.weights.toString(), device))) {
            r = UsageException.rethrowUnchecked(() -> DetectionEvaluator.evaluate(detector, data, kind, maxPixels,
                    progress(err)));
        }
        if (!r.classesNotDetected().isEmpty()) {
            err.println(PrintableText.of("resnet4j: warning: the detector has no class named "
                    + String.join(", ", r.classesNotDetected()) + " (" + r.classesNotDetected().size() + " of the data's "
                    + (data.classNames().size() - 1) + " classes); their objects are never found, which lowers the mean"));
            err.flush();
        }
        if (eval.json) {
            out.println(json(eval, r));
        } else {
            printText(out, eval, r.scores());
        }
        out.flush();
        if (!r.skipped().isEmpty()) {
            throw new java.io.IOException(r.skipped().size() + " of " + data.images().size() + " images could not be"
                    + " read and are left out of the scores (see the warnings above)");
        }
        return 0;
    }

    private static DetectionEvaluator.Progress progress(PrintWriter err) {
        return new DetectionEvaluator.Progress() {
            @Override
            public void image(int done, int total) {
                if (total >= ImageProgress.PROGRESS_THRESHOLD && (done % 10 == 0 || done == total)) {
                    err.print("\revaluating: " + done + "/" + total + " images" + (done == total ? "\n" : ""));
                    err.flush();
                }
            }

            @Override
            public void skipped(AnnotatedImage image, String reason) {
                err.println();
                err.println(PrintableText.of("resnet4j: warning: skipped " + image.file() + ": " + reason));
                err.flush();
            }
        };
    }

    private static String json(EvalCommand eval, DetectionEvaluator.Result r) throws Exception {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode o = mapper.createObjectNode();
        o.put("weights", eval.weights.toString());
        o.put("data", eval.data.toString());
        o.setAll((ObjectNode) mapper.valueToTree(r.scores()));
        o.put("skipped", r.skipped().size());
        ArrayNode notDetected = o.putArray("classes_not_detected");
        r.classesNotDetected().forEach(notDetected::add);
        return mapper.writeValueAsString(o);
    }

    private static void printText(PrintWriter out, EvalCommand eval, DetectionScores s) {
        out.printf(Locale.ROOT, "%s on %s (%,d images): %s %s%n%n", PrintableText.of(eval.weights.toString()),
                PrintableText.of(eval.data.toString()), s.images(), s.metric().equals("coco") ? "COCO mAP@[.5:.95]"
                        : s.metric().equals("voc07") ? "VOC2007 11-point mAP@0.5" : "VOC2010+ mAP@0.5", percent(s.map()));
        out.printf(Locale.ROOT, "%-20s %8s %11s %8s%n", "CLASS", "OBJECTS", "DETECTIONS", "AP");
        for (ClassScore c : s.perClass()) {
            if (c.objects() > 0 || c.detections() > 0) {
                out.printf(Locale.ROOT, "%-20s %8d %11d %8s%n", PrintableText.of(c.name()), c.objects(), c.detections(),
                        percent(c.ap()));
            }
        }
        if (s.coco() != null) {
            printCoco(out, s.coco());
        }
    }

    /** pycocotools' summary lines, which COCO users read at a glance. */
    private static void printCoco(PrintWriter out, CocoSummary c) {
        String[] what = {"AP", "AP", "AP", "AP", "AP", "AP", "AR", "AR", "AR", "AR", "AR", "AR"};
        String[] iou = {"0.50:0.95", "0.50", "0.75", "0.50:0.95", "0.50:0.95", "0.50:0.95", "0.50:0.95", "0.50:0.95",
            "0.50:0.95", "0.50:0.95", "0.50:0.95", "0.50:0.95"};
        String[] area = {"all", "all", "all", "small", "medium", "large", "all", "all", "all", "small", "medium", "large"};
        int[] dets = {100, 100, 100, 100, 100, 100, 1, 10, 100, 100, 100, 100};
        Double[] v = c.toArray();
        out.println();
        for (int i = 0; i < v.length; i++) {
            out.printf(Locale.ROOT, " %-18s (%s) @[ IoU=%-9s | area=%6s | maxDets=%3d ] = %.3f%n",
                    what[i].equals("AP") ? "Average Precision" : "Average Recall", what[i], iou[i], area[i], dets[i],
                    v[i] == null ? -1.0 : v[i]);
        }
    }

    private static String percent(Double v) {
        return v == null ? "-" : String.format(Locale.ROOT, "%.2f%%", 100 * v);
    }
}
