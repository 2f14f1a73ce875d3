package io.resnet4j.detection.eval;

import io.resnet4j.detection.AnnotatedImage;
import io.resnet4j.detection.AnnotatedObject;
import io.resnet4j.detection.Detection;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * COCO's box metric exactly as pycocotools' {@code COCOeval} (iouType "bbox") computes it, so its
 * numbers can be put beside published ones:
 *
 * <ul>
 *   <li>Per image and class, the 100 highest-scoring detections (a stable sort on descending score,
 *       numpy's mergesort) are matched in order, at each IoU threshold 0.50, 0.55, ..., 0.95
 *       ({@code np.linspace} values), to the unmatched object they overlap most, with an IoU of at
 *       least the threshold; on equal IoU the later object wins, as in {@code evaluateImg}.
 *   <li>Ignored objects (crowd regions; objects outside the area range; and, beyond pycocotools,
 *       VOC's {@code difficult} ones) are tried last: a detection matched to one is ignored, neither
 *       hit nor miss. A crowd region may absorb any number of detections and its overlap is the
 *       intersection over the <em>detection's</em> area. Unmatched detections outside the area
 *       range are ignored too. Areas: the object's annotated area (COCO's segment area) and the
 *       detection box's; ranges all, small (below 32²), medium (32² to 96²) and large, ends included.
 *   <li>All images' detections of a class are then merged by score (stable, image order first);
 *       precision is made monotone and read at the 101 recall points 0, 0.01, ..., 1 (the first
 *       detection reaching each recall; 0 beyond the last recall reached); AP is their mean over
 *       the thresholds, and recall is the final recall. With at most 1 or 10 detections, each
 *       image and class keeps its first 1 or 10 of the matching done with 100.
 *   <li>A class without an unignored object in a range has no value there and is left out of the means.
 * </ul>
 */
public final class CocoMetric implements DetectionMetric {

    /** pycocotools' {@code iouThrs}: {@code np.linspace(.5, 0.95, 10)}, computed the same way. */
    static final double[] IOU_THRESHOLDS = linspace(0.5, 0.95, 10);
    /** pycocotools' {@code recThrs}: {@code np.linspace(.0, 1.00, 101)}. */
    static final double[] RECALL_POINTS = linspace(0, 1, 101);
    /** all, small, medium, large: {@code [lo, hi]}, both ends included. */
    static final double[][] AREA_RANGES = {{0, 1e10}, {0, 32 * 32}, {32 * 32, 96 * 96}, {96 * 96, 1e10}};
    static final int[] MAX_DETECTIONS = {1, 10, 100};
    private static final int ALL = 0;
    private static final int T = IOU_THRESHOLDS.length;
    private static final double EPS = Math.ulp(1.0); // np.spacing(1)

    private final List<String> classNames;
    private final ClassRecords[] records;
    private int images;

    public CocoMetric(List<String> classNames) {
        this.classNames = List.copyOf(classNames);
        this.records = new ClassRecords[classNames.size()];
        for (int c = 1; c < records.length; c++) {
            records[c] = new ClassRecords();
        }
    }

    /**
     * A class's matched detections over all images: score, rank within its image, and per area
     * range a bit mask of the thresholds at which it was matched (bits 0-9) and ignored (bits 10-19).
     */
    private static final class ClassRecords {
        boolean evaluated;
        final int[] objects = new int[AREA_RANGES.length];
        int size;
        double[] scores = new double[16];
        int[] ranks = new int[16];
        final int[][] flags = new int[AREA_RANGES.length][16];

        void add(double score, int rank) {
            if (size == scores.length) {
                scores = Arrays.copyOf(scores, 2 * size);
                ranks = Arrays.copyOf(ranks, 2 * size);
                for (int a = 0; a < flags.length; a++) {
                    flags[a] = Arrays.copyOf(flags[a], 2 * size);
                }
            }
            scores[size] = score;
            ranks[size] = rank;
            size++;
        }
    }

    @Override
    public void add(AnnotatedImage truth, List<Detection> detections) {
        Detections.check(detections, classNames.size());
        images++;
        for (int c = 1; c < classNames.size(); c++) {
            List<AnnotatedObject> gt = Detections.objectsOf(truth, c);
            List<Detection> dt = Detections.sortedByScore(detections, c);
            dt = dt.subList(0, Math.min(dt.size(), MAX_DETECTIONS[MAX_DETECTIONS.length - 1]));
            if (gt.isEmpty() && dt.isEmpty()) {
                continue;
            }
            ClassRecords r = records[c];
            r.evaluated = true;
            int first = r.size;
            for (int d = 0; d < dt.size(); d++) {
                r.add(dt.get(d).score(), d);
            }
            double[][] ious = new double[dt.size()][gt.size()];
            for (int d = 0; d < dt.size(); d++) {
                for (int g = 0; g < gt.size(); g++) {
                    ious[d][g] = Iou.coco(dt.get(d).box(), gt.get(g).box(), gt.get(g).crowd());
                }
            }
            for (int a = 0; a < AREA_RANGES.length; a++) {
                int[] flags = matchImage(gt, dt, ious, AREA_RANGES[a]);
                System.arraycopy(flags, 0, r.flags[a], first, flags.length);
                for (AnnotatedObject o : gt) {
                    r.objects[a] += ignored(o, AREA_RANGES[a]) ? 0 : 1;
                }
            }
        }
    }

    private static boolean ignored(AnnotatedObject o, double[] range) {
        return o.crowd() || o.difficult() || o.area() < range[0] || o.area() > range[1];
    }

    /** {@code evaluateImg} for one area range: per detection, matched and ignored bits per threshold. */
    private static int[] matchImage(List<AnnotatedObject> gt, List<Detection> dt, double[][] ious, double[] range) {
        int[] order = ignoredLast(gt, range);
        boolean[] ignore = new boolean[order.length];
        for (int i = 0; i < order.length; i++) {
            ignore[i] = ignored(gt.get(order[i]), range);
        }
        int[] flags = new int[dt.size()];
        for (int t = 0; t < T; t++) {
            boolean[] taken = new boolean[order.length];
            for (int d = 0; d < dt.size(); d++) {
                int m = bestMatch(ious[d], order, ignore, taken, gt, IOU_THRESHOLDS[t]);
                if (m >= 0) {
                    taken[m] = true;
                    flags[d] |= 1 << t | (ignore[m] ? 1 << (T + t) : 0);
                }
            }
        }
        for (int d = 0; d < dt.size(); d++) {
            double area = Iou.area(dt.get(d).box());
            if (area < range[0] || area > range[1]) {
                for (int t = 0; t < T; t++) {
                    if ((flags[d] & 1 << t) == 0) {
                        flags[d] |= 1 << (T + t);
                    }
                }
            }
        }
        return flags;
    }

    /** The inner loop of {@code evaluateImg}: the position in {@code order} matched, or -1. */
    private static int bestMatch(double[] iou, int[] order, boolean[] ignore, boolean[] taken, List<AnnotatedObject> gt,
            double threshold) {
        double best = Math.min(threshold, 1 - 1e-10);
        int m = -1;
        for (int i = 0; i < order.length; i++) {
            if (taken[i] && !gt.get(order[i]).crowd()) {
                continue;
            }
            if (m > -1 && !ignore[m] && ignore[i]) {
                break;
            }
            if (iou[order[i]] < best) {
                continue;
            }
            best = iou[order[i]];
            m = i;
        }
        return m;
    }

    /** Object indices with the ignored ones last, otherwise in annotation order (numpy's stable argsort). */
    private static int[] ignoredLast(List<AnnotatedObject> gt, double[] range) {
        int[] order = new int[gt.size()];
        int k = 0;
        for (int pass = 0; pass < 2; pass++) {
            for (int g = 0; g < gt.size(); g++) {
                if (ignored(gt.get(g), range) == (pass == 1)) {
                    order[k++] = g;
                }
            }
        }
        return order;
    }

    /** {@code accumulate} for one class, area range and detection limit; null where pycocotools leaves -1. */
    private Curve curve(int c, int area, int maxDets) {
        ClassRecords r = records[c];
        if (!r.evaluated || r.objects[area] == 0) {
            return null;
        }
        Integer[] kept = keptByScore(r, maxDets);
        int nd = kept.length;
        double[][] precision = new double[T][RECALL_POINTS.length];
        double[] recall = new double[T];
        for (int t = 0; t < T; t++) {
            double[] rc = new double[nd];
            double[] pr = new double[nd];
            double tp = 0;
            double fp = 0;
            for (int i = 0; i < nd; i++) {
                int f = r.flags[area][kept[i]];
                boolean matched = (f & 1 << t) != 0;
                if ((f & 1 << (T + t)) == 0) {
                    tp += matched ? 1 : 0;
                    fp += matched ? 0 : 1;
                }
                rc[i] = tp / r.objects[area];
                pr[i] = tp / (fp + tp + EPS);
            }
            recall[t] = nd > 0 ? rc[nd - 1] : 0;
            for (int i = nd - 1; i > 0; i--) {
                pr[i - 1] = Math.max(pr[i - 1], pr[i]);
            }
            for (int p = 0; p < RECALL_POINTS.length; p++) {
                int i = searchLeft(rc, RECALL_POINTS[p]);
                if (i >= nd) {
                    break;
                }
                precision[t][p] = pr[i];
            }
        }
        return new Curve(precision, recall);
    }

    /** Detections within each image's first {@code maxDets}, merged by descending score (stable). */
    private static Integer[] keptByScore(ClassRecords r, int maxDets) {
        List<Integer> kept = new ArrayList<>();
        for (int i = 0; i < r.size; i++) {
            if (r.ranks[i] < maxDets) {
                kept.add(i);
            }
        }
        kept.sort((a, b) -> Double.compare(r.scores[b], r.scores[a]));
        return kept.toArray(new Integer[0]);
    }

    /** {@code np.searchsorted(sorted, v, side='left')}: the first index whose value is at least v. */
    private static int searchLeft(double[] sorted, double v) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < v) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Precision at each threshold and recall point, and final recall at each threshold. */
    private record Curve(double[][] precision, double[] recall) {

        double ap(int onlyThreshold) {
            double sum = 0;
            int n = 0;
            for (int t = 0; t < T; t++) {
                if (onlyThreshold < 0 || t == onlyThreshold) {
                    for (double p : precision[t]) {
                        sum += p;
                        n++;
                    }
                }
            }
            return sum / n;
        }

        double ar() {
            double sum = 0;
            for (double r : recall) {
                sum += r;
            }
            return sum / recall.length;
        }
    }

    @Override
    public DetectionScores result() {
        List<ClassScore> perClass = new ArrayList<>();
        for (int c = 1; c < classNames.size(); c++) {
            Curve curve = curve(c, ALL, 100);
            perClass.add(new ClassScore(c, classNames.get(c), records[c].objects[ALL], records[c].size,
                    curve == null ? null : curve.ap(-1)));
        }
        CocoSummary summary = new CocoSummary(ap(ALL, -1), ap(ALL, 0), ap(ALL, 5), ap(1, -1), ap(2, -1), ap(3, -1),
                ar(ALL, 1), ar(ALL, 10), ar(ALL, 100), ar(1, 100), ar(2, 100), ar(3, 100));
        return new DetectionScores("coco", images, summary.ap(), perClass, summary);
    }

    /** Mean AP over classes that have a value, at one threshold index or all (-1). */
    private Double ap(int area, int threshold) {
        return meanOverClasses(area, 100, curve -> curve.ap(threshold));
    }

    private Double ar(int area, int maxDets) {
        return meanOverClasses(area, maxDets, Curve::ar);
    }

    private Double meanOverClasses(int area, int maxDets, java.util.function.ToDoubleFunction<Curve> value) {
        double sum = 0;
        int n = 0;
        for (int c = 1; c < classNames.size(); c++) {
            Curve curve = curve(c, area, maxDets);
            if (curve != null) {
                sum += value.applyAsDouble(curve);
                n++;
            }
        }
        return n == 0 ? null : sum / n;
    }

    /** numpy's linspace with the endpoint: {@code i * ((stop - start) / (n - 1)) + start}, the last set to stop. */
    static double[] linspace(double start, double stop, int n) {
        double step = (stop - start) / (n - 1);
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = i * step + start;
        }
        out[n - 1] = stop;
        return out;
    }
}
