package io.resnet4j.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.resnet4j.io.SafeTensors;
import io.resnet4j.io.StateDicts;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Small networks built in PyTorch from torchvision's own BasicBlock/Bottleneck (and the papers'
 * option A and pre-activation units), with random weights and BN statistics, must compute the
 * same outputs here, in eval and in train mode. Fixtures: tools/fixtures/make_forward_fixtures.py.
 */
class PyTorchEquivalenceTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"cifar_basic_A", "cifar_plain", "cifar_basic_B", "imagenet_basic_B",
        "imagenet_bottleneck_B_3x3", "imagenet_bottleneck_B_1x1", "cifar_preact_bottleneck_B"})
    void sameWeightsGiveSameOutputs(String fixture) throws Exception {
        Path file = Path.of(getClass().getResource("/fixtures/" + fixture + ".safetensors").toURI());
        try (NDManager manager = NDManager.newBaseManager()) {
            SafeTensors.Contents contents = SafeTensors.read(file, manager);
            JsonNode meta = new ObjectMapper().readTree(contents.metadata().get("spec"));
            ResNetSpec spec = new ResNetSpec(fixture, Stem.valueOf(meta.get("stem").asText()),
                    meta.get("stem_channels").asInt(), BlockType.valueOf(meta.get("block").asText()),
                    ints(meta.get("blocks")), ints(meta.get("widths")), meta.get("residual").asBoolean(),
                    meta.get("preact").asBoolean(), Shortcut.valueOf(meta.get("shortcut").asText()),
                    meta.get("input").asInt(), meta.get("classes").asInt(), "fixture");
            ResNetConfig config = ResNetConfig.of(spec);
            if (spec.blockType() == BlockType.BOTTLENECK) {
                config = config.withStridePlacement(StridePlacement.parse(meta.get("stride_on").asText()));
            }
            ResNet net = new ResNet(config).initialize(manager);
            Map<String, NDArray> tensors = new java.util.LinkedHashMap<>(contents.tensors());
            NDArray input = tensors.remove("__input__");
            NDArray expectedEval = tensors.remove("__output_eval__");
            NDArray expectedTrain = tensors.remove("__output_train__");
            StateDicts.load(net, tensors);
            assertThat(net.parameterCount()).isEqualTo(config.plan().params());

            ParameterStore ps = new ParameterStore(manager, false);
            NDArray eval = net.forward(ps, new NDList(input), false).singletonOrThrow();
            assertClose(eval, expectedEval, fixture + " eval");
            NDArray train = net.forward(ps, new NDList(input), true).singletonOrThrow();
            assertClose(train, expectedTrain, fixture + " train");
        }
    }

    private static void assertClose(NDArray actual, NDArray expected, String what) {
        assertThat(actual.getShape()).as(what).isEqualTo(expected.getShape());
        float maxDiff = actual.sub(expected).abs().max().getFloat();
        float scale = Math.max(1f, expected.abs().max().getFloat());
        assertThat(maxDiff / scale).as(what + ": max |diff| " + maxDiff).isLessThan(1e-4f);
    }

    private static List<Integer> ints(JsonNode array) {
        List<Integer> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asInt()));
        return out;
    }
}
