package io.resnet4j.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.resnet4j.io.SafeTensors;
import io.resnet4j.io.StateDicts;
import io.resnet4j.model.BlockType;
import io.resnet4j.model.ResNet;
import io.resnet4j.model.ResNetConfig;
import io.resnet4j.model.ResNetSpec;
import io.resnet4j.model.Shortcut;
import io.resnet4j.model.Stem;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Two SGD steps must match torch.optim.SGD to 1e-4 (fixture: tools/fixtures/make_sgd_fixture.py). */
class TrainStepTest {

    @Test
    void twoStepsMatchPyTorch() throws Exception {
        twoStepsMatch();
    }

    /**
     * libtorch records gradients by default on a thread where the engine did not start; the step
     * must still update its parameters in place there (as on a server's or an executor's thread).
     */
    @Test
    void twoStepsMatchPyTorchOnAFreshThread() throws Exception {
        ai.djl.engine.Engine.getInstance();
        var failure = new java.util.concurrent.atomic.AtomicReference<Throwable>();
        Thread t = new Thread(() -> {
            try {
                assertThat(ai.djl.pytorch.jni.JniUtils.isGradMode()).as("a new thread starts with autograd on").isTrue();
                twoStepsMatch();
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        t.start();
        t.join();
        assertThat(failure.get()).isNull();
    }

    private void twoStepsMatch() throws Exception {
        Path file = Path.of(getClass().getResource("/fixtures/sgd_two_steps.safetensors").toURI());
        try (NDManager manager = NDManager.newBaseManager()) {
            SafeTensors.Contents c = SafeTensors.read(file, manager);
            ResNetSpec spec = new ResNetSpec("sgd-fixture", Stem.CIFAR, 16, BlockType.BASIC, List.of(1, 1, 1),
                    List.of(16, 32, 64), true, false, Shortcut.A, 32, 10, "fixture");
            ResNet net = new ResNet(ResNetConfig.of(spec)).initialize(manager);
            Map<String, NDArray> initial = new LinkedHashMap<>();
            Map<String, NDArray> expected = new LinkedHashMap<>();
            c.tensors().forEach((k, v) -> {
                if (k.startsWith("initial.")) {
                    initial.put(k.substring(8), v);
                } else if (k.startsWith("final.")) {
                    expected.put(k.substring(6), v);
                }
            });
            StateDicts.load(net, initial);
            NDArray x = c.tensors().get("__input__");
            NDArray y = c.tensors().get("__labels__").toType(DataType.INT64, false);
            double[] losses = new ObjectMapper().readValue(c.metadata().get("losses"), double[].class);
            try (Sgd sgd = new Sgd(manager, 0.9f, 1e-4f)) {
                TrainStep step = new TrainStep(net, sgd, manager);
                TrainStep.Result r1 = step.run(x, y, 0.1f);
                TrainStep.Result r2 = step.run(x, y, 0.01f);
                assertThat((double) r1.loss()).isCloseTo(losses[0], org.assertj.core.data.Offset.offset(1e-4));
                assertThat((double) r2.loss()).isCloseTo(losses[1], org.assertj.core.data.Offset.offset(1e-4));
                assertThat(r1.batchSize()).isEqualTo(8);
                assertThat(sgd.state()).containsKey("layer2.0.conv1.weight").doesNotContainKey("bn1.running_mean");
            }
            for (Map.Entry<String, Parameter> e : net.stateDict().entrySet()) {
                NDArray want = expected.get(e.getKey());
                float diff = e.getValue().getArray().sub(want).abs().max().getFloat();
                assertThat(diff).as(e.getKey()).isLessThan(1e-4f);
            }
            // The update really moved the weights (the comparison above is not vacuous).
            float moved = net.stateDict().get("layer1.0.conv1.weight").getArray()
                    .sub(initial.get("layer1.0.conv1.weight")).abs().max().getFloat();
            assertThat(moved).isGreaterThan(1e-3f);
        }
    }
}
