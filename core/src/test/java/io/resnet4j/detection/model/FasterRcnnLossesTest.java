package io.resnet4j.detection.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import com.fasterxml.jackson.databind.JsonNode;
import io.resnet4j.SharedData;
import io.resnet4j.detection.ops.DetectionTransform;
import io.resnet4j.detection.FixtureJson;
import io.resnet4j.detection.train.DetectorTrainStep;
import io.resnet4j.detection.train.TrainingImage;
import io.resnet4j.image.ImageLoader;
import io.resnet4j.train.Sgd;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The training step's losses and gradients against torchvision's on a photo with three boxes (fpn_losses.json):
 * every labelled anchor and proposal is sampled, so both sides compute the same sums, and the
 * gradients show that the loss reaches the box head, the RPN, the pyramid and the trainable backbone
 * (through RoIAlign) but not the frozen conv2_x.
 */
class FasterRcnnLossesTest {

    /** torchvision's trainable_layers=3: conv1 and conv2_x stay fixed. */
    private static final int TORCHVISION_FROZEN_PREFIX = 2;
    private static final float LEARNING_RATE = 1000f;

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
        try (NDManager m = NDManager.newBaseManager()) {
            FasterRcnn net = new FasterRcnn(config).initialize(m);
            FormulaWeights.fill(net, m);
            DetectionTransform.Input input = config.transform().apply(m, ImageLoader.read(photo));
            TrainingImage image = new TrainingImage(input, input.toResized(FixtureJson.floats(fx.get("boxes"))),
                    FixtureJson.ints(fx.get("labels")));
            Map<String, NDArray> before = new LinkedHashMap<>();
            net.stateDict().forEach((k, p) -> before.put(k, p.getArray().duplicate()));
            DetectorTrainStep.Losses losses;
            // Plain SGD at a rate of 1000: each trained parameter moves by 1000 times its gradient.
            try (Sgd sgd = new Sgd(m, 0f, 0f)) {
                losses = new DetectorTrainStep(net, sgd, m, TORCHVISION_FROZEN_PREFIX, false)
                        .run(List.of(image), List.of(new SplittableRandom(1)), LEARNING_RATE);
            }
            JsonNode want = fx.get("losses");
            assertLoss("classifier", losses.classifier(), want.get("loss_classifier"));
            assertLoss("box regression", losses.boxRegression(), want.get("loss_box_reg"));
            assertLoss("objectness", losses.objectness(), want.get("loss_objectness"));
            assertLoss("RPN box regression", losses.rpnBoxRegression(), want.get("loss_rpn_box_reg"));
            Map<String, Parameter> sd = net.stateDict();
            fx.get("gradients").fields().forEachRemaining(e -> {
                NDArray moved = before.get(e.getKey()).sub(sd.get(e.getKey()).getArray());
                if (e.getValue().isNull()) {
                    assertThat(moved.abs().max().getFloat()).as(e.getKey() + " is frozen").isZero();
                } else {
                    TorchvisionFixtures.compareMap(e.getKey() + " gradient", moved.div(LEARNING_RATE), e.getValue(), 1e-3);
                }
            });
            NDArray bn = before.get("backbone.body.layer3.0.bn1.weight").sub(sd.get("backbone.body.layer3.0.bn1.weight").getArray());
            assertThat(bn.abs().max().getFloat()).as("frozen batch norm").isZero();
        }
    }

    private static void assertLoss(String what, float got, JsonNode want) {
        assertThat((double) got).as(what).isCloseTo(want.asDouble(), within(1e-4 * Math.abs(want.asDouble()) + 1e-7));
    }
}
