package io.resnet4j.detection.eval;

import io.resnet4j.detection.AnnotatedImage;
import io.resnet4j.detection.AnnotatedObject;
import io.resnet4j.detection.Detection;
import java.util.ArrayList;
import java.util.List;

/**
 * Pascal VOC's detection average precision at IoU 0.5, as py-faster-rcnn's {@code voc_eval.py}
 * computes it (the code behind the paper's VOC numbers, and Detectron's):
 *
 * <ul>
 *   <li>Detections of a class are taken in descending score. Each is compared with every object of
 *       its class in its image and takes the one it overlaps most (the first on a tie); the overlap
 *       must be <em>greater than</em> 0.5. If that object is {@code difficult} the detection is
 *       ignored (neither a true nor a false positive), if it was already taken the detection is a
 *       false positive (a duplicate), else a true positive. Below the threshold it is a false positive.
 *   <li>Recall counts the objects that are not difficult; precision is {@code tp / max(tp + fp, eps)}.
 *   <li>{@link Kind#VOC2007}: the 11-point interpolated AP of the VOC2007 devkit ({@code use_07_metric=True}):
 *       the mean over {@code t = 0, 0.1, ..., 1} (numpy's {@code arange}, so {@code t} is
 *       {@code k * 0.1} in floating point) of the highest precision at recall {@code >= t}.
 *       {@link Kind#VOC2010}: the area under the precision curve made monotone (VOC2010 and later devkits).
 * </ul>
 *
 * <p>Overlaps are {@link Iou#iou continuous IoU} on 0-based corner boxes, which equals voc_eval.py's
 * "+1" formula on the annotation files' 1-based pixel coordinates. Ties in score are taken in data
 * set order (image order, then the detector's order), as the MATLAB devkit's stable {@code sort} does;
 * voc_eval.py's {@code np.argsort} agrees for up to 16 detections of a class and is unspecified beyond.
 * Boxes keep full precision (voc_eval.py reads detections rounded to 0.001 from its text files). A
 * class without any non-difficult object has no AP (voc_eval.py divides by zero there) and stays out
 * of the mean; classes with objects but no detection score 0.
 */
public final class VocMetric implements DetectionMetric {

    /** Which devkit's AP. */
    public enum Kind { VOC2007, VOC2010 }

    /** voc_eval.py's overlap threshold; a detection needs more than this. */
    public static final double IOU_THRESHOLD = 0.5;
    private static final double EPS = Math.ulp(1.0); // np.finfo(np.float64).eps

    private final Kind kind;
    private final List<String> classNames;
    private final int[] objects;
    private final List<List<Scored>> scored = new ArrayList<>();
    private int images;

    /** One detection after matching: its score and whether it was a hit, a miss or ignored. */
    private record Scored(double score, boolean tp, boolean fp) {}

    public VocMetric(Kind kind, List<String> classNames) {
        this.kind = kind;
        this.classNames = List.copyOf(classNames);
        this.objects = new int[classNames.size()];
        for (int c = 0; c < classNames.size(); c++) {
            scored.add(new ArrayList<>());
        }
    }

    @Override
    public void add(AnnotatedImage truth, List<Detection> detections) {
        Detections.check(detections, classNames.size());
        images++;
        for (int c = 1; c < classNames.size(); c++) {
            List<AnnotatedObject> gt = Detections.objectsOf(truth, c);
            for (AnnotatedObject o : gt) {
                if (!o.difficult()) {
                    objects[c]++;
                }
            }
            match(gt, Detections.sortedByScore(detections, c), scored.get(c));
        }
    }

    private static void match(List<AnnotatedObject> gt, List<Detection> dets, List<Scored> out) {
        boolean[] taken = new boolean[gt.size()];
        for (Detection d : dets) {
            double best = Double.NEGATIVE_INFINITY;
            int j = -1;
            for (int g = 0; g < gt.size(); g++) {
                double o = Iou.iou(d.box(), gt.get(g).box());
                if (o > best) {
                    best = o;
                    j = g;
                }
            }
            if (best > IOU_THRESHOLD) {
                if (gt.get(j).difficult()) {
                    out.add(new Scored(d.score(), false, false));
                } else {
                    out.add(new Scored(d.score(), !taken[j], taken[j]));
                    taken[j] = true;
                }
            } else {
                out.add(new Scored(d.score(), false, true));
            }
        }
    }

    @Override
    public DetectionScores result() {
        List<ClassScore> perClass = new ArrayList<>();
        for (int c = 1; c < classNames.size(); c++) {
            List<Scored> s = new ArrayList<>(scored.get(c));
            s.sort((a, b) -> Double.compare(b.score(), a.score())); // stable: ties keep data set order
            Double ap = objects[c] == 0 ? null : averagePrecision(s, objects[c]);
            perClass.add(new ClassScore(c, classNames.get(c), objects[c], s.size(), ap));
        }
        return new DetectionScores(kind == Kind.VOC2007 ? "voc07" : "voc", images, ClassScore.mean(perClass),
                perClass, null);
    }

    private double averagePrecision(List<Scored> s, int npos) {
        double[] rec = new double[s.size()];
        double[] prec = new double[s.size()];
        double tp = 0;
        double fp = 0;
        for (int i = 0; i < s.size(); i++) {
            tp += s.get(i).tp() ? 1 : 0;
            fp += s.get(i).fp() ? 1 : 0;
            rec[i] = tp / npos;
            prec[i] = tp / Math.max(tp + fp, EPS);
        }
        return kind == Kind.VOC2007 ? elevenPoint(rec, prec) : areaUnderCurve(rec, prec);
    }

    /** voc_ap(use_07_metric=True). */
    static double elevenPoint(double[] rec, double[] prec) {
        double ap = 0;
        for (int k = 0; k <= 10; k++) {
            double t = k * 0.1; // np.arange(0., 1.1, 0.1)
            double p = 0;
            for (int i = 0; i < rec.length; i++) {
                if (rec[i] >= t) {
                    p = Math.max(p, prec[i]);
                }
            }
            ap += p / 11.0;
        }
        return ap;
    }

    /** voc_ap(use_07_metric=False): sentinels, the precision envelope, then sum of recall steps times precision. */
    static double areaUnderCurve(double[] rec, double[] prec) {
        int n = rec.length;
        double[] mrec = new double[n + 2];
        double[] mpre = new double[n + 2];
        System.arraycopy(rec, 0, mrec, 1, n);
        System.arraycopy(prec, 0, mpre, 1, n);
        mrec[n + 1] = 1;
        for (int i = mpre.length - 1; i > 0; i--) {
            mpre[i - 1] = Math.max(mpre[i - 1], mpre[i]);
        }
        double ap = 0;
        for (int i = 0; i + 1 < mrec.length; i++) {
            if (mrec[i + 1] != mrec[i]) {
                ap += (mrec[i + 1] - mrec[i]) * mpre[i + 1];
            }
        }
        return ap;
    }
}
