package io.resnet4j.detection.train;

import static io.resnet4j.detection.train.TorchvisionTrainingFixture.floats;
import static io.resnet4j.detection.train.TorchvisionTrainingFixture.ints;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The four losses against torchvision 0.14's {@code RegionProposalNetwork.compute_loss} and {@code
 * fastrcnn_loss} on the same inputs and samples: values and gradients.
 */
class DetectionLossesTest {

    @Test
    void rpnLossesAndGradientsAreTorchvisions() {
        JsonNode c = TorchvisionTrainingFixture.get("rpn_loss");
        int[] pos = ints(c.get("positives"));
        int[] neg = ints(c.get("negatives"));
        int[] sampled = IntStream.concat(Arrays.stream(pos), Arrays.stream(neg)).toArray();
        try (NDManager m = NDManager.newBaseManager()) {
            float[] o = floats(c.get("objectness"));
            NDArray objectness = m.create(o);
            NDArray deltas = m.create(floats(c.get("deltas")), new Shape(o.length, 4));
            NDArray labels = m.create(floats(c.get("labels")));
            NDArray targets = m.create(floats(c.get("targets")), new Shape(o.length, 4));
            objectness.setRequiresGradient(true);
            deltas.setRequiresGradient(true);
            try (GradientCollector g = Engine.getInstance().newGradientCollector()) {
                NDArray lo = DetectionLosses.objectness(objectness.get(index(m, sampled)), labels.get(index(m, sampled)));
                NDArray lb = DetectionLosses.rpnBoxRegression(deltas.get(index(m, pos)), targets.get(index(m, pos)),
                        sampled.length);
                assertThat(lo.getFloat()).isCloseTo((float) c.get("loss_objectness").asDouble(), within(1e-6f));
                assertThat(lb.getFloat()).isCloseTo((float) c.get("loss_rpn_box_reg").asDouble(), within(1e-6f));
                g.backward(lo.add(lb));
            }
            assertThat(objectness.getGradient().toFloatArray()).containsExactly(floats(c.get("grad_objectness")),
                    within(1e-6f));
            assertThat(deltas.getGradient().toFloatArray()).containsExactly(floats(c.get("grad_deltas")), within(1e-6f));
        }
    }

    @Test
    void boxHeadLossesAndGradientsAreTorchvisions() {
        JsonNode c = TorchvisionTrainingFixture.get("fastrcnn_loss");
        int k = c.get("classes").asInt();
        int[] labels = ints(c.get("labels"));
        int s = labels.length;
        int[] pos = IntStream.range(0, s).filter(i -> labels[i] > 0).toArray();
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray logits = m.create(floats(c.get("logits")), new Shape(s, k));
            NDArray deltas = m.create(floats(c.get("deltas")), new Shape(s, 4L * k));
            NDArray targets = m.create(floats(c.get("targets")), new Shape(s, 4));
            logits.setRequiresGradient(true);
            deltas.setRequiresGradient(true);
            try (GradientCollector g = Engine.getInstance().newGradientCollector()) {
                NDArray lc = DetectionLosses.classifier(logits, m.create(Arrays.stream(labels).asLongStream().toArray()));
                long[] rows = Arrays.stream(pos).mapToLong(i -> (long) i * k + labels[i]).toArray();
                NDArray own = deltas.reshape(s * k, 4).get(new NDIndex("{}", m.create(rows)));
                NDArray lb = DetectionLosses.boxRegression(own, targets.get(index(m, pos)), s);
                assertThat(lc.getFloat()).isCloseTo((float) c.get("loss_classifier").asDouble(), within(1e-6f));
                assertThat(lb.getFloat()).isCloseTo((float) c.get("loss_box_reg").asDouble(), within(1e-6f));
                g.backward(lc.add(lb));
            }
            assertThat(logits.getGradient().toFloatArray()).containsExactly(floats(c.get("grad_logits")), within(1e-6f));
            assertThat(deltas.getGradient().toFloatArray()).containsExactly(floats(c.get("grad_deltas")), within(1e-6f));
        }
    }

    @Test
    void smoothL1IsQuadraticBelowBetaAndLinearAbove() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray p = m.create(new float[] {0.05f, 1f, -2f, 0f});
            NDArray t = m.create(new float[] {0f, 0f, 0f, 0f});
            float expected = 0.5f * 0.05f * 0.05f * 9 + (1 - 0.5f / 9) + (2 - 0.5f / 9);
            assertThat(DetectionLosses.smoothL1Sum(p, t).getFloat()).isCloseTo(expected, within(1e-6f));
        }
    }

    private static NDIndex index(NDManager m, int[] rows) {
        return new NDIndex("{}", m.create(Arrays.stream(rows).asLongStream().toArray()));
    }
}
