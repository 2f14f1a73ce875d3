package io.resnet4j.onnx;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.resnet4j.model.ResNet;
import java.util.Locale;

/**
 * Runs an export in ONNX Runtime and the eager network on the same random batch and compares the
 * logits: an export that computes something else is refused before anyone deploys it.
 *
 * @param maxDifference the largest absolute logit difference
 * @param relative that difference over the largest absolute eager logit
 */
public record ExportCheck(double maxDifference, double relative) {

    /** Relative tolerance: folded batch norm changes float rounding, never more than this. */
    public static final double TOLERANCE = 1e-4;

    /**
     * @param batch images in the random batch (the export's fixed batch when it has one)
     * @param threads ONNX Runtime intra-op threads
     * @throws ExportMismatchException when the relative difference is not below {@link #TOLERANCE}
     */
    public static ExportCheck run(ResNet net, byte[] onnx, int batch, int threads) {
        int size = net.config().inputSize();
        float[] eager;
        float[] input;
        try (NDManager manager = NDManager.newBaseManager(net.device())) {
            Engine.getInstance().setRandomSeed(1);
            NDArray x = manager.randomNormal(0, 1, new Shape(batch, 3, size, size), DataType.FLOAT32);
            input = x.toFloatArray();
            eager = net.forward(new ParameterStore(manager, false), new NDList(x), false).singletonOrThrow()
                    .toFloatArray();
        }
        float[] ort;
        try (OnnxRuntimeModel m = OnnxRuntimeModel.load(onnx, threads)) {
            ort = m.logits(input, batch, size);
        }
        ExportCheck check = compare(eager, ort);
        if (!(check.relative < TOLERANCE)) {
            throw new ExportMismatchException(String.format(Locale.ROOT, "the export does not reproduce the network:"
                    + " max |logit difference| %.3g is %.3g of the largest logit (limit %.0e)", check.maxDifference,
                    check.relative, TOLERANCE));
        }
        return check;
    }

    static ExportCheck compare(float[] expected, float[] actual) {
        double scale = 1e-12;
        double diff = 0;
        for (int i = 0; i < expected.length; i++) {
            scale = Math.max(scale, Math.abs(expected[i]));
            diff = Math.max(diff, Math.abs(expected[i] - actual[i]));
        }
        return new ExportCheck(diff, diff / scale);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "checked in ONNX Runtime: max |logit difference| %.2g (%.1g relative)",
                maxDifference, relative);
    }

    /** The export computes something other than the network it came from. */
    public static final class ExportMismatchException extends IllegalStateException {
        public ExportMismatchException(String message) {
            super(message);
        }
    }
}
