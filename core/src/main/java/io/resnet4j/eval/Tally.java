package io.resnet4j.eval;

import java.util.List;

/**
 * Top-1 and top-k errors and the confusion matrix, accumulated image by image from class scores:
 * the one count behind every evaluation (CIFAR, image folders, every test protocol).
 */
public final class Tally {
    private final ConfusionMatrix confusion;
    private final int k;
    private long images;
    private long top1;
    private long topK;

    /** @param k the second error's k (5, or fewer for nets with fewer classes) */
    public Tally(List<String> classNames, int k) {
        this.confusion = new ConfusionMatrix(classNames);
        this.k = k;
    }

    /** Counts one image from its scores (logits or probabilities: only their order matters). */
    public void add(float[] scores, int label) {
        int predicted = argMax(scores);
        if (label < confusion.numClasses() && predicted < confusion.numClasses()) {
            confusion.add(label, predicted);
        }
        if (predicted != label) {
            top1++;
        }
        if (!ConfusionMatrix.inTopK(scores, label, k)) {
            topK++;
        }
        images++;
    }

    /** Counts every row of a batch of scores ({@code labels.length} rows, row-major). */
    public void addBatch(float[] scores, int[] labels, int n) {
        int classes = scores.length / n;
        for (int i = 0; i < n; i++) {
            add(java.util.Arrays.copyOfRange(scores, i * classes, (i + 1) * classes), labels[i]);
        }
    }

    public Evaluator.Result result() {
        return new Evaluator.Result(images, top1, topK, confusion);
    }

    static int argMax(float[] row) {
        int best = 0;
        for (int i = 1; i < row.length; i++) {
            if (row[i] > row[best]) {
                best = i;
            }
        }
        return best;
    }
}
