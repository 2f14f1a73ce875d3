package io.resnet4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which libtorch is loaded and what a missing GPU says, decided on a CPU-only machine. */
class DevicesTest {

    @Test
    void theLibraryComesFromTheEnvironmentTheUserSet() {
        assertThat(Devices.librarySource(Map.of(), true)).isEqualTo("the pinned CPU libtorch 2.7.1 (Maven jar)");
        assertThat(Devices.librarySource(Map.of("PYTORCH_LIBRARY_PATH", "/opt/torch/lib", "PYTORCH_FLAVOR", "cu124"), true))
                .isEqualTo("libtorch 2.7.1 (cu124) from PYTORCH_LIBRARY_PATH=/opt/torch/lib");
        assertThat(Devices.librarySource(Map.of("PYTORCH_FLAVOR", "cu124"), false))
                .isEqualTo("libtorch 2.7.1 (cu124), downloaded by DJL at first use and cached");
        assertThat(Devices.librarySource(Map.of("PYTORCH_FLAVOR", "cu124"), true))
                .contains("pinned CPU").contains("RESNET4J_ALLOW_DOWNLOAD=1");
    }

    @Test
    void aGpuNeedsACudaBuildAndAVisibleDevice() {
        assertThat(Devices.unavailable(Device.cpu(), false, 0)).isNull();
        assertThat(Devices.unavailable(Device.gpu(), false, 1)).startsWith("no CUDA in this libtorch")
                .contains("PYTORCH_LIBRARY_PATH").contains("RESNET4J_ALLOW_DOWNLOAD=1");
        assertThat(Devices.unavailable(Device.gpu(1), true, 1)).isEqualTo("no GPU 1: the CUDA runtime sees 1 GPU(s)");
        assertThat(Devices.unavailable(Device.gpu(0), true, 1)).isNull();
    }

    @Test
    void thisBuildRefusesTheGpuBeforeAnyTensorExists() {
        Engine engine = Engine.getEngine("PyTorch");
        assertThat(Devices.resolve("cpu", engine)).isEqualTo(Device.cpu());
        assertThatThrownBy(() -> Devices.resolve("gpu", engine)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("device gpu is not available: no CUDA in this libtorch");
        assertThatThrownBy(() -> Devices.resolve("tpu", engine)).hasMessageContaining("use cpu, gpu or gpu:N");
    }
}
