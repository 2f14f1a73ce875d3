package io.resnet4j.detection.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.resnet4j.image.BilinearInterpolation;
import static io.resnet4j.detection.FixtureJson.floats;
import static io.resnet4j.detection.FixtureJson.ints;
import static io.resnet4j.detection.FixtureJson.longs;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The detection operators against torchvision 0.14's on small inputs (tools/fixtures/make_detection_fixtures.py,
 * ops.json): RoIAlign values and gradients in every sampling mode, pyramid level mapping, anchors, box coding,
 * NMS, the bilinear resize and the transform's output sizes.
 */
class TorchvisionOpsTest {

    static JsonNode ops;

    @BeforeAll
    static void read() throws Exception {
        try (InputStream in = TorchvisionOpsTest.class.getResourceAsStream("/detection/ops.json")) {
            ops = new ObjectMapper().readTree(in);
        }
    }

    @Test
    void roiAlignMatchesTorchvisionValuesAndGradientsInEverySamplingMode() {
        JsonNode r = ops.get("roi_align");
        long[] shape = longs(r.get("shape"));
        float[] boxes = floats(r.get("boxes"));
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray upstream = m.create(floats(r.get("upstream")), new Shape(boxes.length / 4, shape[1], 3, 3));
            for (JsonNode c : r.get("cases")) {
                String what = "scale " + c.get("spatial_scale") + " sampling " + c.get("sampling_ratio") + " aligned "
                        + c.get("aligned");
                NDArray feature = m.create(floats(r.get("feature")), new Shape(shape[1], shape[2], shape[3]));
                feature.setRequiresGradient(true);
                RoiAlign align = new RoiAlign(r.get("output_size").asInt(), c.get("sampling_ratio").asInt(),
                        c.get("aligned").asBoolean());
                NDArray out;
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    out = align.apply(feature, (float) c.get("spatial_scale").asDouble(), boxes);
                    reclaimJavaBuffers(); // backward must not depend on Java buffers the forward pass made
                    gc.backward(out.mul(upstream).sum());
                }
                assertClose(what + " output", out.toFloatArray(), floats(c.get("output")), 1e-5);
                assertClose(what + " gradient", feature.getGradient().toFloatArray(), floats(c.get("feature_grad")), 1e-5);
            }
        }
    }

    @Test
    void multiScaleRoiAlignPicksTorchvisionsLevelsAndValues() {
        JsonNode s = ops.get("multiscale");
        float[] boxes = floats(s.get("boxes"));
        MultiScaleRoiAlign pool = new MultiScaleRoiAlign(new RoiAlign(s.get("output_size").asInt(), 2, false),
                s.get("canonical_scale").asInt(), 4);
        assertThat(pool.levelOf(boxes, 2, 5)).containsExactly(ints(s.get("box_levels")));
        try (NDManager m = NDManager.newBaseManager()) {
            List<NDArray> levels = new ArrayList<>();
            for (String k : List.of("0", "1", "2", "3")) {
                long[] shape = longs(s.get("shapes").get(k));
                levels.add(m.create(floats(s.get("levels").get(k)), new Shape(shape[1], shape[2], shape[3])));
            }
            int[] size = ints(s.get("image_size"));
            float[] out = pool.apply(levels, boxes, size[0], size[1]).toFloatArray();
            assertClose("pooled", out, floats(s.get("output")), 1e-5);
        }
    }

    @Test
    void anchorsAreTorchvisionsInValueAndOrder() {
        JsonNode a = ops.get("anchors");
        List<List<Integer>> sizes = new ArrayList<>();
        a.get("sizes").forEach(n -> sizes.add(List.of(n.asInt())));
        AnchorGenerator gen = new AnchorGenerator(sizes, List.of(0.5f, 1f, 2f));
        for (int l = 0; l < sizes.size(); l++) {
            assertThat(gen.cellAnchors(l)).containsExactly(floats(a.get("cell").get(l)));
        }
        int[] image = ints(a.get("image"));
        float[] level0 = gen.anchors(0, 16, 24, image[0], image[1]);
        float[] level1 = gen.anchors(1, 8, 12, image[0], image[1]);
        assertThat((level0.length + level1.length) / 4).isEqualTo(a.get("count").asInt());
        assertThat(java.util.Arrays.copyOf(level0, 20)).containsExactly(floats(a.get("first")));
        assertThat(java.util.Arrays.copyOfRange(level1, level1.length - 20, level1.length))
                .containsExactly(floats(a.get("last")));
        int[] picked = {0, 7, 1151};
        float[] selected = gen.select(0, picked, 16, 24, image[0], image[1]);
        for (int i = 0; i < picked.length; i++) {
            assertThat(java.util.Arrays.copyOfRange(selected, 4 * i, 4 * i + 4))
                    .containsExactly(java.util.Arrays.copyOfRange(level0, 4 * picked[i], 4 * picked[i] + 4));
        }
    }

    @Test
    void boxCodingMatchesTorchvisionIncludingTheClipOnLargeDeltas() {
        JsonNode b = ops.get("box_coder");
        BoxCoder coder = BoxCoder.boxHead();
        float[] reference = floats(b.get("boxes"));
        assertClose("decoded", coder.decode(floats(b.get("deltas")), reference), floats(b.get("decoded")), 1e-4);
        float[] targets = floats(b.get("targets"));
        float[] encoded = coder.encode(targets, reference);
        assertClose("encoded", encoded, floats(b.get("encoded")), 1e-5);
        assertClose("round trip", coder.decode(encoded, reference), targets, 1e-4);
    }

    @Test
    void nmsKeepsTorchvisionsBoxesInTorchvisionsOrder() {
        JsonNode n = ops.get("nms");
        float[] boxes = floats(n.get("boxes"));
        float[] scores = floats(n.get("scores"));
        float t = (float) n.get("threshold").asDouble();
        assertThat(Nms.nms(boxes, scores, t)).containsExactly(ints(n.get("keep")));
        assertThat(Nms.batched(boxes, scores, ints(n.get("groups")), t)).containsExactly(ints(n.get("batched_keep")));
    }

    @Test
    void bilinearResizeIsTorchsInterpolateWithoutAntialiasing() {
        JsonNode in = ops.get("interpolate");
        int[] shape = ints(in.get("shape"));
        for (JsonNode o : in.get("outputs")) {
            int[] size = ints(o.get("size"));
            float[] got = BilinearInterpolation.resize(floats(in.get("input")), shape[0], shape[1], shape[2], size[0], size[1]);
            assertClose("to " + size[0] + "x" + size[1], got, floats(o.get("values")), 1e-6);
        }
    }

    @Test
    void transformResizesToTorchvisionsSizes() {
        DetectionTransform t = DetectionTransform.torchvision();
        for (JsonNode c : ops.get("resize_800_1333")) {
            assertThat(t.resizedSize(c.get(0).asInt(), c.get(1).asInt())).as(c.toString())
                    .containsExactly(c.get(2).asInt(), c.get(3).asInt());
        }
    }

    static void assertClose(String what, float[] got, float[] want, double tolerance) {
        assertThat(got).as(what + " length").hasSize(want.length);
        for (int i = 0; i < want.length; i++) {
            assertThat((double) got[i]).as(what + " [" + i + "]").isCloseTo(want[i], within(tolerance));
        }
    }

    /** Collects unreachable direct buffers and reuses their memory, so a tensor still reading one sees garbage. */
    private static void reclaimJavaBuffers() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            java.util.List<java.nio.ByteBuffer> filler = new java.util.ArrayList<>();
            for (int j = 0; j < 64; j++) {
                java.nio.ByteBuffer b = java.nio.ByteBuffer.allocateDirect(1 << 16);
                while (b.hasRemaining()) {
                    b.put((byte) 0x7f);
                }
                filler.add(b);
            }
        }
    }
}
