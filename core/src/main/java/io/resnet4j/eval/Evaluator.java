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
import java.util.function.IntConsumer;

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
        return evaluate(net, data, norm, batchSize, manager, n -> {});
    }

    /** @param progress told the number of images of every batch scored */
    public static Result evaluate(ResNet net, CifarData data, Normalization norm, int batchSize, NDManager manager,
            IntConsumer progress) {
        Tally tally = new Tally(data.classNames(), Math.min(5, net.config().classes()));
        ParameterStore ps = new ParameterStore(manager, false);
        try (Batcher batcher = Batcher.builder(data, norm).evaluation().batchSize(batchSize).build()) {
            while (batcher.hasNext()) {
                Batch batch = batcher.next();
                int n = batch.size();
                try (NDManager scope = manager.newSubManager()) {
                    NDArray x = scope.create(FloatBuffer.wrap(batch.images(), 0, n * 3 * 32 * 32), new Shape(n, 3, 32, 32));
                    tally.addBatch(net.forward(ps, new NDList(x), false).singletonOrThrow().toFloatArray(),
                            batch.labels(), n);
                }
                progress.accept(n);
            }
        }
        return tally.result();
    }
}
