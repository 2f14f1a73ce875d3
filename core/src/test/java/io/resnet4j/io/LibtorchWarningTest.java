package io.resnet4j.io;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * libtorch writes its warnings to the process's stderr, out of Java's reach: loading weights in a
 * child JVM shows whether one is printed (setting tensors through a byte buffer printed a 600-character
 * deprecation warning on every load).
 */
class LibtorchWarningTest {

    /** Loads the fixture weights, as every command that reads weights does. */
    public static void main(String[] args) throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            WeightsLoader.load(args[0], WeightsLoader.Options.defaults(), m);
        }
    }

    @Test
    void loadingWeightsPrintsNoLibtorchWarning() throws Exception {
        Path weights = Path.of(getClass().getResource("/weights/resnet20_wrapped.pth").toURI());
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"), LibtorchWarningTest.class.getName(),
                weights.toString()).redirectErrorStream(true).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("child JVM finished").isTrue();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(output).doesNotContain("Warning").doesNotContain("LegacyTypeDispatch");
        assertThat(List.of(output.split("\n"))).allMatch(String::isBlank);
    }

    @Test
    void weightsLoadIntoParametersThatRecordGradients() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            io.resnet4j.model.ResNet net = new io.resnet4j.model.ResNet(io.resnet4j.model.ResNetConfig.of("resnet20"))
                    .initialize(m);
            net.stateDict().values().forEach(p -> p.getArray().setRequiresGradient(true));
            var source = WeightsLoader.load(Path.of(getClass().getResource("/weights/resnet20_wrapped.pth").toURI())
                    .toString(), WeightsLoader.Options.defaults(), m).net();
            StateDicts.load(net, StateDicts.export(source, m));
            float[] want = source.stateDict().get("conv1.weight").getArray().toFloatArray();
            assertThat(net.stateDict().get("conv1.weight").getArray().toFloatArray()).containsExactly(want);
            assertThat(net.stateDict().get("conv1.weight").getArray().hasGradient()).isTrue();
        }
    }
}
