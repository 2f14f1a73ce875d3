package io.resnet4j.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.resnet4j.data.Batch;
import io.resnet4j.data.Batcher;
import io.resnet4j.data.CifarData;
import io.resnet4j.data.Normalization;
import io.resnet4j.model.ResNet;
import java.nio.FloatBuffer;

/**
 * The paper's CIFAR test protocol: the single original view of each image, BN in inference
 * mode; top-1 and top-5 error and the confusion matrix.
 */
public final class Evaluator {

    private Evaluator() {}

    /** Top-1/top-5 error over a data set, with the confusion matrix behind top-1. */
    public record Result(long images, long top1Errors, long top5Errors, ConfusionMatrix confusion) {
        public double top1Error() {
            return images == 0 ? Double.NaN : (double) top1Errors / images;
        }

        public double top5Error() {
            return images == 0 ? Double.NaN : (double) top5Errors / images;
        }
    }

    public static Result evaluate(ResNet net, CifarData data, Normalization norm, int batchSize, NDManager manager) {
        ConfusionMatrix confusion = new ConfusionMatrix(data.classNames());
        long images = 0;
        long top1 = 0;
        long top5 = 0;
        int k = Math.min(5, net.config().classes());
        ParameterStore ps = new ParameterStore(manager, false);
        try (Batcher batcher = Batcher.builder(data, norm).evaluation().batchSize(batchSize).build()) {
            while (batcher.hasNext()) {
                Batch batch = batcher.next();
                int n = batch.size();
                float[] scores;
                try (NDManager scope = manager.newSubManager()) {
                    NDArray x = scope.create(FloatBuffer.wrap(batch.images(), 0, n * 3 * 32 * 32), new Shape(n, 3, 32, 32));
                    scores = net.forward(ps, new NDList(x), false).singletonOrThrow().toFloatArray();
                }
                int classes = scores.length / n;
                for (int i = 0; i < n; i++) {
                    float[] row = java.util.Arrays.copyOfRange(scores, i * classes, (i + 1) * classes);
                    int label = batch.labels()[i];
                    int predicted = argMax(row);
                    if (label < confusion.numClasses() && predicted < confusion.numClasses()) {
                        confusion.add(label, predicted);
                    }
                    if (predicted != label) {
                        top1++;
                    }
                    if (!ConfusionMatrix.inTopK(row, label, k)) {
                        top5++;
                    }
                }
                images += n;
            }
        }
        return new Result(images, top1, top5, confusion);
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
