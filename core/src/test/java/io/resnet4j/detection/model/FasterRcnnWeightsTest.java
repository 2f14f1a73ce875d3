package io.resnet4j.detection.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.sun.net.httpserver.HttpServer;
import io.resnet4j.detection.CocoCategories;
import io.resnet4j.io.TorchvisionWeights;
import io.resnet4j.io.WeightsFormatException;
import io.resnet4j.io.WeightsLoader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Faster R-CNN weights from files and from torchvision's download path. */
class FasterRcnnWeightsTest {

    @Test
    void namesFromBeforeTorchvision013AreUpgradedAsTorchvisionUpgradesThem() {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> old = new LinkedHashMap<>();
            for (String k : new String[] {"backbone.fpn.inner_blocks.0.weight", "backbone.fpn.layer_blocks.3.bias",
                "rpn.head.conv.weight", "rpn.head.cls_logits.weight", "backbone.fpn.inner_blocks.0.0.weight"}) {
                old.put(k, m.zeros(new Shape(1)));
            }
            assertThat(FasterRcnnWeights.upgradeNames(old).keySet()).containsExactly("backbone.fpn.inner_blocks.0.0.weight",
                    "backbone.fpn.layer_blocks.3.0.bias", "rpn.head.conv.0.0.weight", "rpn.head.cls_logits.weight");
        }
    }

    @Test
    void architectureDepthAndClassesAreReadFromTheTensors() throws Exception {
        FasterRcnnConfig fpn = FasterRcnnWeights.infer(shapes(FasterRcnnConfig.fpn("resnet50", 91)), "a");
        assertThat(fpn.architecture()).isEqualTo(FasterRcnnConfig.Architecture.FPN);
        assertThat(fpn.backbone()).isEqualTo("resnet50");
        assertThat(fpn.numClasses()).isEqualTo(91);
        FasterRcnnConfig c4 = FasterRcnnWeights.infer(shapes(FasterRcnnConfig.c4("resnet101", 21)), "b");
        assertThat(c4.architecture()).isEqualTo(FasterRcnnConfig.Architecture.C4);
        assertThat(c4.backbone()).isEqualTo("resnet101");
        assertThat(c4.numClasses()).isEqualTo(21);

        Map<String, Shape> classifier = Map.of("conv1.weight", new Shape(64, 3, 7, 7), "fc.weight", new Shape(1000, 2048));
        assertThatThrownBy(() -> FasterRcnnWeights.infer(classifier, "resnet50.pth"))
                .isInstanceOf(WeightsFormatException.class).hasMessageContaining("resnet50.pth is not a Faster R-CNN");
        Map<String, Shape> odd = new LinkedHashMap<>(shapes(FasterRcnnConfig.fpn("resnet50", 91)));
        odd.put("backbone.body.layer3.9.conv1.weight", new Shape(256, 1024, 1, 1));
        assertThatThrownBy(() -> FasterRcnnWeights.infer(odd, "odd.pth")).hasMessageContaining("[3, 4, 10, 3] units");
    }

    private static Map<String, Shape> shapes(FasterRcnnConfig config) {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, Shape> out = new LinkedHashMap<>();
            new FasterRcnn(config).initialize(m).stateDict().forEach((k, p) -> out.put(k, p.getArray().getShape()));
            return out;
        }
    }

    @Test
    void aStateDictFileLoadsWithCocoNames() throws Exception {
        Path file = DetectorFiles.fpnResnet50();
        try (NDManager m = NDManager.newBaseManager()) {
            FasterRcnnWeights.Loaded loaded = FasterRcnnWeights.load(file.toString(), null, UnaryOperator.identity(), m);
            assertThat(loaded.classNames()).isEqualTo(CocoCategories.names());
            assertThat(loaded.classNames().get(1)).isEqualTo("person");
            String name = "backbone.fpn.layer_blocks.2.0.weight";
            float[] expected = FormulaWeights.values(name, new Shape(256, 256, 3, 3));
            // isEqualTo compares arrays in one pass (containsExactly's diff is quadratic on a million values).
            assertThat(loaded.net().stateDict().get(name).getArray().toFloatArray()).isEqualTo(expected);
        }
    }

    @Test
    void oldNamesLoadAndMismatchesAreNamed() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            FasterRcnn source = new FasterRcnn(FasterRcnnConfig.c4("resnet50", 4)).initialize(m);
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            source.stateDict().forEach((k, p) -> tensors.put(k, p.getArray()));
            tensors.put("rpn.head.conv.weight", tensors.remove("rpn.head.conv.0.0.weight"));
            FasterRcnnWeights.Loaded loaded = FasterRcnnWeights.fromTensors(tensors, "old.pth", UnaryOperator.identity(), m);
            assertThat(loaded.net().stateDict().get("rpn.head.conv.0.0.weight").getArray().toFloatArray())
                    .isEqualTo(source.stateDict().get("rpn.head.conv.0.0.weight").getArray().toFloatArray());
            assertThat(loaded.classNames()).containsExactly("__background__", "class 1", "class 2", "class 3");

            tensors.remove("roi_heads.box_predictor.bbox_pred.bias");
            tensors.put("roi_heads.box_head.layer4.0.conv1.weight", m.zeros(new Shape(512, 1024, 3, 3)));
            assertThatThrownBy(() -> FasterRcnnWeights.fromTensors(tensors, "edited.pth", UnaryOperator.identity(), m))
                    .isInstanceOf(WeightsFormatException.class)
                    .hasMessageContaining("missing keys (1): roi_heads.box_predictor.bbox_pred.bias")
                    .hasMessageContaining("roi_heads.box_head.layer4.0.conv1.weight is (512, 1024, 3, 3) in the file but"
                            + " (512, 1024, 1, 1)")
                    .hasMessageNotContaining("rpn.head.conv");
        }
    }

    @Test
    void torchvisionsCocoWeightsComeThroughTheVerifiedCache(@TempDir Path cache) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/models/", exchange -> {
            byte[] body = "not the real weights".getBytes();
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        System.setProperty(TorchvisionWeights.BASE_URL_PROPERTY, "http://127.0.0.1:" + server.getAddress().getPort() + "/models/");
        try (NDManager m = NDManager.newBaseManager()) {
            assertThat(TorchvisionWeights.parse("torchvision:fasterrcnn_resnet50_fpn.COCO_V1").fileName())
                    .isEqualTo("fasterrcnn_resnet50_fpn_coco-258fb6c6.pth");
            assertThatThrownBy(() -> FasterRcnnWeights.load("torchvision:fasterrcnn_resnet50_fpn", cache,
                    UnaryOperator.identity(), m)).isInstanceOf(WeightsFormatException.class)
                    .hasMessageContaining("fasterrcnn_resnet50_fpn_coco-258fb6c6.pth")
                    .hasMessageContaining("does not start with 258fb6c6");
            assertThatThrownBy(() -> FasterRcnnWeights.load("torchvision:resnet50", cache, UnaryOperator.identity(), m))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is an image classifier, not a detector");
            assertThatThrownBy(() -> WeightsLoader.load("torchvision:fasterrcnn_resnet50_fpn",
                    new WeightsLoader.Options(null, null, cache), m))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is an object detector");
        } finally {
            System.clearProperty(TorchvisionWeights.BASE_URL_PROPERTY);
            server.stop(0);
        }
    }
}
