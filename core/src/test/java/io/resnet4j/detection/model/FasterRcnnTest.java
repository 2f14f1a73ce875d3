package io.resnet4j.detection.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.JsonNode;
import io.resnet4j.detection.ops.DetectionTransform;
import io.resnet4j.image.RgbImage;
import io.resnet4j.model.ResidualUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The two designs' structure: torchvision's state_dict for FPN, the paper's per-region conv5_x for C4. */
class FasterRcnnTest {

    @Test
    void fpnStateDictHasTorchvisionsNamesShapesAndOrder() throws Exception {
        JsonNode expected = TorchvisionFixtures.read("ops.json").get("state_dict");
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, Parameter> sd = new FasterRcnn(FasterRcnnConfig.fpn("resnet50", 91)).initialize(m).stateDict();
            List<String> names = new ArrayList<>(sd.keySet());
            assertThat(names).hasSize(expected.size());
            for (int i = 0; i < expected.size(); i++) {
                String name = expected.get(i).get(0).asText();
                assertThat(names.get(i)).as("entry " + i).isEqualTo(name);
                List<Long> shape = new ArrayList<>();
                expected.get(i).get(1).forEach(n -> shape.add(n.asLong()));
                assertThat(sd.get(name).getArray().getShape().getShape()).as(name)
                        .containsExactly(shape.stream().mapToLong(Long::longValue).toArray());
            }
        }
    }

    @Test
    void c4RunsConv5PerRegionAtTheHeadStrideAndNamesItAsTheBoxHead() {
        FasterRcnnConfig config = FasterRcnnConfig.c4("resnet50", 3)
                .withTransform(FasterRcnnConfig.c4("resnet50", 3).transform().withSizes(64, 96))
                .withRpn(FasterRcnnConfig.c4("resnet50", 3).rpn().withTestTopN(200, 20));
        try (NDManager m = NDManager.newBaseManager()) {
            FasterRcnn net = new FasterRcnn(config).initialize(m);
            Map<String, Parameter> sd = net.stateDict();
            assertThat(sd).containsKeys("backbone.body.layer3.5.conv3.weight", "roi_heads.box_head.layer4.2.bn3.running_var",
                    "rpn.head.conv.0.0.weight", "roi_heads.box_predictor.bbox_pred.bias");
            assertThat(sd.keySet()).noneMatch(k -> k.startsWith("backbone.body.layer4") || k.startsWith("backbone.fpn")
                    || k.contains("fc."));
            assertThat(shape(sd, "rpn.head.cls_logits.weight")).isEqualTo(new Shape(15, 1024, 1, 1));
            assertThat(shape(sd, "roi_heads.box_predictor.cls_score.weight")).isEqualTo(new Shape(3, 2048));
            assertThat(shape(sd, "roi_heads.box_predictor.bbox_pred.weight")).isEqualTo(new Shape(12, 2048));

            ParameterStore ps = new ParameterStore(m, false);
            NDArray regions = m.randomNormal(new Shape(2, 1024, 14, 14));
            assertThat(conv5(net, ps, regions).getShape()).isEqualTo(new Shape(2, 2048, 14, 14));

            RgbImage image = new RgbImage(90, 60, new byte[90 * 60 * 3]);
            DetectionTransform.Input input = config.transform().apply(m, image);
            List<NDArray> features = net.features(ps, input.batch());
            assertThat(features).hasSize(1);
            assertThat(features.get(0).getShape()).isEqualTo(new Shape(1, 1024, 4, 6)); // 64 x 96 at stride 16
            // DJL's forward: batch and sizes in, boxes in the original pixels, scores and labels out.
            NDList d = net.forward(ps, new NDList(input.batch(), m.create(new int[] {64, 96, 60, 90})), false);
            float[] boxes = d.get(0).toFloatArray();
            float[] scores = d.get(1).toFloatArray();
            int[] labels = d.get(2).toIntArray();
            assertThat(labels.length).isBetween(0, 100).isEqualTo(scores.length).isEqualTo(boxes.length / 4);
            for (int i = 0; i < labels.length; i++) {
                assertThat(labels[i]).isBetween(1, 2);
                assertThat(scores[i]).isGreaterThan(0.05f).isLessThanOrEqualTo(i == 0 ? 1f : scores[i - 1]);
                assertThat(boxes[4 * i + 2]).isLessThanOrEqualTo(90f);
                assertThat(boxes[4 * i + 3]).isLessThanOrEqualTo(60f);
            }
        }
        try (NDManager m = NDManager.newBaseManager()) {
            FasterRcnn strided = new FasterRcnn(config.withHeadStride(2)).initialize(m);
            NDArray regions = m.randomNormal(new Shape(1, 1024, 14, 14));
            assertThat(conv5(strided, new ParameterStore(m, false), regions).getShape()).isEqualTo(new Shape(1, 2048, 7, 7));
        }
    }

    private static NDArray conv5(FasterRcnn net, ParameterStore ps, NDArray x) {
        NDArray h = x;
        for (ResidualUnit u : net.body().units()) {
            if (u.plan().stage() == 3) {
                h = u.forward(ps, new NDList(h), false).singletonOrThrow();
            }
        }
        return h;
    }

    private static Shape shape(Map<String, Parameter> sd, String name) {
        return sd.get(name).getArray().getShape();
    }

    @Test
    void configurationsRefuseWhatTheDesignsCannotBuild() {
        assertThatThrownBy(() -> FasterRcnnConfig.fpn("resnet20", 91)).hasMessageContaining("a ResNet of four stages");
        assertThatThrownBy(() -> FasterRcnnConfig.fpn("resnet50", 1)).hasMessageContaining("at least 2 classes");
        assertThatThrownBy(() -> FasterRcnnConfig.c4("resnet50", 5).withHeadStride(3)).hasMessageContaining("1 or 2");
        assertThatThrownBy(() -> new FasterRcnnConfig(FasterRcnnConfig.Architecture.FPN, "resnet50",
                io.resnet4j.model.StridePlacement.MIDDLE_3X3, 91, DetectionTransform.torchvision(),
                FasterRcnnConfig.c4("resnet50", 91).anchors(), FasterRcnnConfig.Rpn.torchvision(),
                FasterRcnnConfig.Box.torchvision(), 1)).hasMessageContaining("5 feature level(s), but the anchors have 1");
    }
}
