package io.resnet4j.detection.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.JsonNode;
import io.resnet4j.SharedData;
import io.resnet4j.detection.ops.DetectionTransform;
import io.resnet4j.detection.FixtureJson;
import io.resnet4j.image.ImageLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The training losses and gradients against torchvision's on a photo with three boxes (fpn_losses.json):
 * every labelled anchor and proposal is sampled, so both sides compute the same sums, and the
 * gradients show that the loss reaches the box head, the RPN, the pyramid and the trainable backbone
 * (through RoIAlign) but not the frozen conv2_x.
 */
class FasterRcnnLossesTest {

    @Test
    void lossesAndGradientsAreTorchvisions() throws Exception {
        JsonNode fx = TorchvisionFixtures.read("fpn_losses.json");
        Path photo = SharedData.path("images", fx.get("image").asText());
        assumeTrue(Files.isRegularFile(photo), "shared photos not found at " + photo);
        FasterRcnnConfig base = FasterRcnnConfig.fpn("resnet50", 91);
        FasterRcnnConfig.Rpn r = base.rpn();
        FasterRcnnConfig.Box b = base.box();
        FasterRcnnConfig config = base
                .withTransform(base.transform().withSizes(fx.get("min_size").asInt(), fx.get("max_size").asInt()))
                .withRpn(new FasterRcnnConfig.Rpn(r.preNmsTopNTrain(), r.preNmsTopNTest(), r.postNmsTopNTrain(),
                        r.postNmsTopNTest(), r.nmsThreshold(), r.fgIouThreshold(), r.bgIouThreshold(), 100_000, 1f))
                .withBox(new FasterRcnnConfig.Box(b.poolSize(), b.samplingRatio(), b.scoreThreshold(), b.nmsThreshold(),
                        b.detectionsPerImage(), b.fgIouThreshold(), b.bgIouThreshold(), 100_000, 1f));
        DetectionTargets targets = new DetectionTargets(FixtureJson.floats(fx.get("boxes")),
                FixtureJson.ints(fx.get("labels")));
        try (NDManager m = NDManager.newBaseManager()) {
            FasterRcnn net = new FasterRcnn(config).initialize(m);
            FormulaWeights.fill(net, m);
            DetectionTransform.Input input = config.transform().apply(m, ImageLoader.read(photo));
            Losses losses;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                losses = net.losses(new ParameterStore(m, false), input, targets, new Random(1));
                gc.backward(losses.total());
            }
            JsonNode want = fx.get("losses");
            assertLoss("classifier", losses.classifier(), want.get("loss_classifier"));
            assertLoss("box regression", losses.boxRegression(), want.get("loss_box_reg"));
            assertLoss("objectness", losses.objectness(), want.get("loss_objectness"));
            assertLoss("RPN box regression", losses.rpnBoxRegression(), want.get("loss_rpn_box_reg"));
            Map<String, Parameter> sd = net.stateDict();
            fx.get("gradients").fields().forEachRemaining(e -> {
                Parameter p = sd.get(e.getKey());
                if (e.getValue().isNull()) {
                    assertThat(p.requiresGradient()).as(e.getKey() + " is frozen").isFalse();
                } else {
                    TorchvisionFixtures.compareMap(e.getKey() + " gradient", p.getArray().getGradient(), e.getValue(), 1e-3);
                }
            });
            assertThat(sd.get("backbone.body.layer3.0.bn1.weight").requiresGradient()).isFalse();
        }
    }

    private static void assertLoss(String what, NDArray got, JsonNode want) {
        assertThat((double) got.getFloat()).as(what).isCloseTo(want.asDouble(), within(1e-4 * Math.abs(want.asDouble()) + 1e-7));
    }
}
