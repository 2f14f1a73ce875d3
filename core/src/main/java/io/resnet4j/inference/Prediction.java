package io.resnet4j.inference;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * One ranked class of an image.
 *
 * @param index the class index (the network's output position)
 * @param name the class name the weights carry
 * @param probability softmax probability
 */
public record Prediction(int index, String name, float probability) {

    /**
     * The {@code k} most probable classes of one row of logits, most probable first (ties: lower
     * index first).
     *
     * @param logits row-major logits of a batch
     * @param row which row
     * @param names one name per class; the row has {@code names.size()} logits
     */
    public static List<Prediction> topK(float[] logits, int row, List<String> names, int k) {
        int classes = names.size();
        float[] p = softmax(logits, row * classes, classes);
        List<Prediction> out = new ArrayList<>();
        for (int c : topIndices(p, Math.min(k, classes))) {
            out.add(new Prediction(c, names.get(c), p[c]));
        }
        return out;
    }

    /** Softmax of {@code n} logits starting at {@code offset}, in double precision (max subtracted). */
    public static float[] softmax(float[] logits, int offset, int n) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            max = Math.max(max, logits[offset + j]);
        }
        double sum = 0;
        double[] e = new double[n];
        for (int j = 0; j < n; j++) {
            e[j] = Math.exp(logits[offset + j] - max);
            sum += e[j];
        }
        float[] p = new float[n];
        for (int j = 0; j < n; j++) {
            p[j] = (float) (e[j] / sum);
        }
        return p;
    }

    /** Indices of the k largest values, largest first (ties: lower index first). */
    public static int[] topIndices(float[] values, int k) {
        return IntStream.range(0, values.length).boxed()
                .sorted((a, b) -> values[b] != values[a] ? Float.compare(values[b], values[a]) : Integer.compare(a, b))
                .limit(k).mapToInt(Integer::intValue).toArray();
    }
}
