package io.resnet4j.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The DJL networks built from the table: allocated parameters, names, shapes, initialisation. */
class ResNetBlockTest {

    static java.util.stream.Stream<String> allModels() {
        return ResNetFamily.names().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allModels")
    void builtNetworkHasThePlannedParametersAndOutputShape(String model) {
        try (NDManager manager = NDManager.newBaseManager()) {
            ResNet net = ResNet.builder().setModel(model).build().initialize(manager);
            assertThat(net.parameterCount()).isEqualTo(net.plan().params());
            int size = net.config().inputSize();
            NDArray x = manager.randomNormal(new Shape(2, 3, size, size));
            // Training-mode BN: at initialisation (running var 1) eval mode lets the 1202-layer nets overflow.
            NDArray y = net.forward(new ParameterStore(manager, false), new NDList(x), true).singletonOrThrow();
            assertThat(y.getShape()).isEqualTo(new Shape(2, net.config().classes()));
            assertThat(y.isInfinite().any().getBoolean() || y.isNaN().any().getBoolean()).isFalse();
        }
    }

    @Test
    void stateDictUsesTorchvisionNames() {
        try (NDManager manager = NDManager.newBaseManager()) {
            ResNet net = ResNet.builder().setModel("resnet50").build().initialize(manager);
            Map<String, Parameter> sd = net.stateDict();
            assertThat(sd.keySet()).startsWith("conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean",
                    "bn1.running_var", "layer1.0.conv1.weight", "layer1.0.bn1.weight");
            assertThat(sd).containsKeys("layer1.0.conv3.weight", "layer1.0.bn3.running_var",
                    "layer1.0.downsample.0.weight", "layer1.0.downsample.1.weight", "layer4.2.conv3.weight",
                    "fc.weight", "fc.bias");
            // torchvision's resnet50 state_dict has 320 entries, 53 of them num_batches_tracked.
            assertThat(sd).hasSize(320 - 53);
            assertThat(sd.get("layer2.0.downsample.0.weight").getArray().getShape()).isEqualTo(new Shape(512, 256, 1, 1));
            assertThat(sd.get("fc.weight").getArray().getShape()).isEqualTo(new Shape(1000, 2048));
        }
    }

    @Test
    void cifarOptionANetHasNoDownsampleTensors() {
        try (NDManager manager = NDManager.newBaseManager()) {
            ResNet net = ResNet.builder().setModel("resnet20").build().initialize(manager);
            assertThat(net.stateDict().keySet()).noneMatch(k -> k.contains("downsample"));
            assertThat(net.stateDict().keySet()).contains("layer3.2.bn2.running_mean", "fc.weight");
            assertThat(net.stateDict().keySet()).noneMatch(k -> k.startsWith("layer4"));
        }
    }

    @Test
    void heInitialisationAndBatchNormDefaults() {
        try (NDManager manager = NDManager.newBaseManager()) {
            ResNet net = ResNet.builder().setModel("resnet34").build().initialize(manager);
            Map<String, Parameter> sd = net.stateDict();
            // Kaiming normal, fan_out: std = sqrt(2 / (out * k * k)) = sqrt(2 / (256 * 9)).
            NDArray w = sd.get("layer3.1.conv1.weight").getArray();
            double std = Math.sqrt(w.sub(w.mean()).square().mean().getFloat());
            assertThat(std).isBetween(Math.sqrt(2.0 / (256 * 9)) * 0.97, Math.sqrt(2.0 / (256 * 9)) * 1.03);
            assertThat(sd.get("layer3.1.bn1.weight").getArray().eq(1).all().getBoolean()).isTrue();
            assertThat(sd.get("layer3.1.bn1.bias").getArray().eq(0).all().getBoolean()).isTrue();
            assertThat(sd.get("layer3.1.bn1.running_var").getArray().eq(1).all().getBoolean()).isTrue();
            NDArray fc = sd.get("fc.weight").getArray();
            assertThat(fc.abs().max().getFloat()).isLessThanOrEqualTo((float) (1 / Math.sqrt(512)));
            assertThat(fc.abs().max().getFloat()).isGreaterThan((float) (0.9 / Math.sqrt(512)));
        }
    }

    @Test
    void zeroInitLastGammaZeroesOnlyTheLastBranchNorm() {
        try (NDManager manager = NDManager.newBaseManager()) {
            ResNet net = ResNet.builder().setModel("resnet50").optZeroInitLastGamma(true).build().initialize(manager);
            Map<String, Parameter> sd = net.stateDict();
            assertThat(sd.get("layer1.0.bn3.weight").getArray().eq(0).all().getBoolean()).isTrue();
            assertThat(sd.get("layer1.0.bn2.weight").getArray().eq(1).all().getBoolean()).isTrue();
            assertThat(sd.get("layer1.0.downsample.1.weight").getArray().eq(1).all().getBoolean()).isTrue();
            assertThat(sd.get("bn1.weight").getArray().eq(1).all().getBoolean()).isTrue();
        }
    }

    @Test
    void headIsIndependentOfInputSize() {
        try (NDManager manager = NDManager.newBaseManager()) {
            ResNet net = ResNet.builder().setModel("resnet18").optClasses(7).optInputSize(96).build().initialize(manager);
            ParameterStore ps = new ParameterStore(manager, false);
            for (int size : new int[] {64, 96, 161}) {
                NDArray y = net.forward(ps, new NDList(manager.randomNormal(new Shape(2, 3, size, size))), false).head();
                assertThat(y.getShape()).isEqualTo(new Shape(2, 7));
            }
        }
    }
}
