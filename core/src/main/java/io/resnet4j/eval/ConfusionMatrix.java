package io.resnet4j.eval;

import io.resnet4j.io.PrintableText;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.knowm.xchart.HeatMapChart;

/**
 * Counts (actual, predicted) pairs over K classes. Top-1 error alone hides which classes a network
 * confuses (on CIFAR-10, cat versus dog dominates); the matrix and per-class accuracy show it, and
 * the text, JSON and heat-map forms let a run's report carry it.
 *
 * <p>Counting needs no charting library: the heat map lives in {@link ConfusionMatrixChart}, so this
 * class loads without the optional XChart (in a Spark job, for example).
 *
 * <p>Not thread-safe: accumulate from one thread (or merge per-thread matrices with {@link #addAll}).
 */
public final class ConfusionMatrix {

    private final List<String> classes;
    private final long[][] counts;
    private long total;
    private long correct;

    /** A zeroed matrix for the given class names, in label order (class i has label i). */
    public ConfusionMatrix(List<String> classNames) {
        Objects.requireNonNull(classNames, "classNames");
        if (classNames.isEmpty()) {
            throw new IllegalArgumentException("need at least one class");
        }
        for (String name : classNames) {
            Objects.requireNonNull(name, "class name");
        }
        this.classes = List.copyOf(classNames);
        this.counts = new long[classes.size()][classes.size()];
    }

    /** Counts one prediction. */
    public void add(int actual, int predicted) {
        check(actual, "actual");
        check(predicted, "predicted");
        counts[actual][predicted]++;
        total++;
        if (actual == predicted) {
            correct++;
        }
    }

    /** Counts a batch of predictions; {@code actual[i]} pairs with {@code predicted[i]}. */
    public void add(int[] actual, int[] predicted) {
        if (actual.length != predicted.length) {
            throw new IllegalArgumentException(actual.length + " labels but " + predicted.length + " predictions");
        }
        for (int i = 0; i < actual.length; i++) {
            add(actual[i], predicted[i]);
        }
    }

    /** Adds another matrix over the same classes (e.g. one accumulated per worker thread). */
    public void addAll(ConfusionMatrix other) {
        if (!classes.equals(other.classes)) {
            throw new IllegalArgumentException("class lists differ: " + classes + " vs " + other.classes);
        }
        for (int a = 0; a < counts.length; a++) {
            for (int p = 0; p < counts.length; p++) {
                counts[a][p] += other.counts[a][p];
            }
        }
        total += other.total;
        correct += other.correct;
    }

    /** Number of classes K. */
    public int numClasses() {
        return classes.size();
    }

    /** The class names, in label order. */
    public List<String> classes() {
        return classes;
    }

    /** How often class {@code actual} was predicted as {@code predicted}. */
    public long count(int actual, int predicted) {
        check(actual, "actual");
        check(predicted, "predicted");
        return counts[actual][predicted];
    }

    /** Number of pairs counted. */
    public long total() {
        return total;
    }

    /** Number of pairs with predicted == actual. */
    public long correct() {
        return correct;
    }

    /** Fraction correct in [0, 1]; NaN when nothing has been counted (an empty test set is not 100% right). */
    public double accuracy() {
        return total == 0 ? Double.NaN : (double) correct / total;
    }

    /** Top-1 error as a fraction in [0, 1], the paper's error measure; NaN when nothing has been counted. */
    public double top1Error() {
        return total == 0 ? Double.NaN : 1.0 - (double) correct / total;
    }

    /** Per class: correct / occurrences of that actual class (recall); NaN for a class never seen. */
    public double[] perClassAccuracy() {
        double[] acc = new double[counts.length];
        for (int a = 0; a < counts.length; a++) {
            long row = 0;
            for (long c : counts[a]) {
                row += c;
            }
            acc[a] = row == 0 ? Double.NaN : (double) counts[a][a] / row;
        }
        return acc;
    }

    /** A copy of the counts, rows = actual, columns = predicted. */
    public long[][] matrix() {
        long[][] copy = new long[counts.length][];
        for (int a = 0; a < counts.length; a++) {
            copy[a] = counts[a].clone();
        }
        return copy;
    }

    /**
     * Whether {@code label} is among the top {@code k} of {@code scores}, with ties resolved
     * pessimistically: the label counts as ranked behind every <em>other</em> class whose score is
     * greater than <em>or equal to</em> its own, and is in the top k iff fewer than k other classes
     * score at least as high. This is the rule that never flatters a model: a degenerate network
     * that outputs the same score for every class (dead ReLUs, a NaN-free but collapsed head) gets
     * 100% top-1 error instead of 100% top-1 accuracy, and the answer never depends on the arbitrary
     * order an argmax or sort would break a tie in. With distinct scores it equals the usual
     * definition (count of strictly greater scores &lt; k). A NaN label score is never in the top k;
     * NaN scores of other classes never outrank it (comparisons with NaN are false).
     *
     * @param scores one score (logit or probability) per class
     * @param label the true class, 0 &lt;= label &lt; scores.length
     * @param k how many top classes count, k &gt;= 1 (1 for top-1, 5 for the paper's top-5)
     */
    public static boolean inTopK(float[] scores, int label, int k) {
        if (label < 0 || label >= scores.length) {
            throw new IllegalArgumentException("label " + label + " outside [0, " + scores.length + ")");
        }
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, got " + k);
        }
        float own = scores[label];
        if (Float.isNaN(own)) {
            return false;
        }
        int atLeastAsHigh = 0;
        for (int i = 0; i < scores.length; i++) {
            if (i != label && scores[i] >= own) {
                atLeastAsHigh++;
                if (atLeastAsHigh >= k) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * An aligned table: one row per actual class, one column per predicted class, then each row's
     * total and accuracy, then the overall accuracy and top-1 error. Column widths adapt to the
     * longest class name and count, so it reads well in a log or terminal.
     */
    public String toText() {
        // Class names come from folder names and checkpoints: no control character reaches the terminal.
        List<String> classes = this.classes.stream().map(PrintableText::of).toList();
        int k = counts.length;
        int nameWidth = "actual \\ predicted".length();
        for (String c : classes) {
            nameWidth = Math.max(nameWidth, c.length());
        }
        int cell = 1;
        for (String c : classes) {
            cell = Math.max(cell, c.length());
        }
        long maxRow = 0;
        long[] rowTotals = new long[k];
        for (int a = 0; a < k; a++) {
            for (int p = 0; p < k; p++) {
                cell = Math.max(cell, Long.toString(counts[a][p]).length());
                rowTotals[a] += counts[a][p];
            }
            maxRow = Math.max(maxRow, rowTotals[a]);
        }
        int totalWidth = Math.max("total".length(), Long.toString(maxRow).length());
        int accWidth = "accuracy".length();
        StringBuilder sb = new StringBuilder();
        sb.append(pad("actual \\ predicted", nameWidth, false));
        for (String c : classes) {
            sb.append("  ").append(pad(c, cell, true));
        }
        sb.append("  ").append(pad("total", totalWidth, true));
        sb.append("  ").append(pad("accuracy", accWidth, true)).append('\n');
        double[] acc = perClassAccuracy();
        for (int a = 0; a < k; a++) {
            sb.append(pad(classes.get(a), nameWidth, false));
            for (int p = 0; p < k; p++) {
                sb.append("  ").append(pad(Long.toString(counts[a][p]), cell, true));
            }
            sb.append("  ").append(pad(Long.toString(rowTotals[a]), totalWidth, true));
            sb.append("  ").append(pad(percent(acc[a]), accWidth, true)).append('\n');
        }
        sb.append(String.format(Locale.ROOT, "overall: %d/%d correct, accuracy %s, top-1 error %s%n",
                correct, total, percent(accuracy()), percent(top1Error())));
        return sb.toString();
    }

    /**
     * JSON for run reports: {@code classes} (names), {@code matrix} (rows = actual, columns =
     * predicted), {@code per_class_accuracy} (fractions; null for a class never seen, since JSON has
     * no NaN), plus {@code total}, {@code correct} and {@code top1_error} (null when empty).
     */
    public ObjectNode toJson() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode root = f.objectNode();
        ArrayNode names = root.putArray("classes");
        classes.forEach(names::add);
        ArrayNode matrix = root.putArray("matrix");
        for (long[] row : counts) {
            ArrayNode r = matrix.addArray();
            for (long c : row) {
                r.add(c);
            }
        }
        ArrayNode per = root.putArray("per_class_accuracy");
        for (double a : perClassAccuracy()) {
            if (Double.isNaN(a)) {
                per.addNull();
            } else {
                per.add(a);
            }
        }
        root.put("total", total);
        root.put("correct", correct);
        if (total == 0) {
            root.putNull("top1_error");
        } else {
            root.put("top1_error", top1Error());
        }
        return root;
    }

    /** {@link #writePng(Path, int, int)} with a size that leaves room for K cells and the colour scale. */
    public void writePng(Path file) throws IOException {
        int k = counts.length;
        int side = Math.max(480, Math.min(2000, 160 + 56 * k));
        writePng(file, side + 120, side);
    }

    /**
     * Writes the matrix as a heat map PNG (atomically): see {@link ConfusionMatrixChart}. Needs
     * XChart on the classpath, which the core keeps optional.
     */
    public void writePng(Path file, int width, int height) throws IOException {
        ConfusionMatrixChart.writePng(this, file, width, height);
    }

    /** Builds the heat map without rendering it (see {@link #writePng(Path, int, int)}). */
    public HeatMapChart buildChart(int width, int height) {
        return ConfusionMatrixChart.build(this, width, height);
    }

    private void check(int label, String what) {
        if (label < 0 || label >= counts.length) {
            throw new IllegalArgumentException(what + " label " + label + " outside [0, " + counts.length + ")");
        }
    }

    static String percent(double fraction) {
        return Double.isNaN(fraction) ? "n/a" : String.format(Locale.ROOT, "%.2f%%", 100.0 * fraction);
    }

    private static String pad(String s, int width, boolean right) {
        if (s.length() >= width) {
            return s;
        }
        String spaces = " ".repeat(width - s.length());
        return right ? spaces + s : s + spaces;
    }
}
