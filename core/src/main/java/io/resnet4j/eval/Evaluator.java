package io.resnet4j.eval;

import ai.djl.ndarray.NDManager;
import io.resnet4j.data.Batch;
import io.resnet4j.data.Batcher;
import io.resnet4j.data.CifarData;
import io.resnet4j.data.Normalization;
import io.resnet4j.model.ResNet;
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
        return evaluate(Scorer.eager(net, manager), data, norm, batchSize, done -> {});
    }

    /** The CIFAR protocol on any engine; {@code progress} is told the images scored so far. */
    public static Result evaluate(Scorer scorer, CifarData data, Normalization norm, int batchSize,
            IntConsumer progress) {
        Tally tally = new Tally(data.classNames(), Math.min(5, scorer.classes()));
        int done = 0;
        try (Batcher batcher = Batcher.builder(data, norm).evaluation().batchSize(batchSize).build()) {
            while (batcher.hasNext()) {
                Batch batch = batcher.next();
                int n = batch.size();
                tally.addBatch(scorer.logits(batch.images(), n, 32, 32), batch.labels(), n);
                done += n;
                progress.accept(done);
            }
        }
        return tally.result();
    }
}
