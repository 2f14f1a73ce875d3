package io.resnet4j.experiment;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.resnet4j.model.ResponseProbe;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Figure 7 statistic, collected as a {@link ResponseProbe} during forward passes.
 *
 * <p>Definition: for each 3x3 convolution, its response is its BN output (after BN, before the
 * shortcut addition and the ReLU), an array of shape (N, C, H, W) per batch. The layer's value is
 * the population standard deviation over <em>all</em> elements of that array, pooled over every
 * image, channel and position of every batch seen: {@code sqrt(sum (x - m)^2 / count)} with
 * {@code m} the mean of all those elements. Per batch the mean and the sum of squared deviations
 * are computed on the device in float64 and merged with {@link RunningMoments}, so the result does
 * not depend on the batch size. (The paper says only "std of layer responses"; pooling the channels
 * includes the spread of the per-channel means, i.e. BN's learned beta, as the paper's plot of
 * one number per layer implies.)
 *
 * <p>Layers are kept in the order the forward pass first reports them, which is the network's
 * order ("original order" of Figure 7).
 */
public final class ResponseStatistics implements ResponseProbe {

    /** One layer's result. @param index 1-based position in forward order */
    public record Layer(int index, String name, long count, double mean, double std) {}

    private final Map<String, RunningMoments> layers = new LinkedHashMap<>();

    @Override
    public void record(String layer, NDArray response) {
        // float64 so the squared deviations of large batches sum without float32 round-off.
        try (NDArray x = response.toType(DataType.FLOAT64, true);
                NDArray meanArray = x.mean();
                NDArray centred = x.sub(meanArray);
                NDArray squares = centred.square();
                NDArray m2Array = squares.sum()) {
            double mean = meanArray.getDouble();
            double m2 = m2Array.getDouble();
            layers.computeIfAbsent(layer, k -> new RunningMoments()).merge(x.size(), mean, m2);
        }
    }

    /** Every layer seen, in forward order. */
    public List<Layer> layers() {
        List<Layer> out = new ArrayList<>();
        int i = 1;
        for (Map.Entry<String, RunningMoments> e : layers.entrySet()) {
            RunningMoments m = e.getValue();
            out.add(new Layer(i++, e.getKey(), m.count(), m.mean(), m.std()));
        }
        return out;
    }

    /** Forgets everything seen so far. */
    public void clear() {
        layers.clear();
    }
}
