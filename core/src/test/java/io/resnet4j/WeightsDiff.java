package io.resnet4j;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.resnet4j.io.SafeTensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** How far apart two weight files are: what "the same weights to 1e-5" is measured with. */
public final class WeightsDiff {

    private WeightsDiff() {}

    /**
     * The largest absolute difference between the tensors of two safetensors files.
     *
     * @throws AssertionError when they do not hold the same tensor names
     */
    public static float max(Path a, Path b) throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> ta = SafeTensors.read(a, m).tensors();
            Map<String, NDArray> tb = SafeTensors.read(b, m).tensors();
            if (!ta.keySet().equals(tb.keySet())) {
                throw new AssertionError(a + " and " + b + " hold different tensors");
            }
            float max = 0;
            for (String k : ta.keySet()) {
                NDArray x = ta.get(k).toType(DataType.FLOAT32, false);
                NDArray y = tb.get(k).toType(DataType.FLOAT32, false);
                max = Math.max(max, x.sub(y).abs().max().getFloat());
            }
            return max;
        }
    }
}
