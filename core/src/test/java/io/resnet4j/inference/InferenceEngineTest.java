package io.resnet4j.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import org.junit.jupiter.api.Test;

class InferenceEngineTest {

    @Test
    void autoPicksOnnxRuntimeOnCpuAndPyTorchOnGpu() {
        assertThat(InferenceEngine.parse("auto", Device.cpu())).isEqualTo(InferenceEngine.ONNXRUNTIME);
        assertThat(InferenceEngine.parse("auto", Device.gpu())).isEqualTo(InferenceEngine.PYTORCH);
        assertThat(InferenceEngine.parse("PyTorch", Device.cpu())).isEqualTo(InferenceEngine.PYTORCH);
        assertThat(InferenceEngine.parse("onnxruntime", Device.cpu())).isEqualTo(InferenceEngine.ONNXRUNTIME);
    }

    @Test
    void badChoicesAreUsageErrorsNamingTheFix() {
        assertThatThrownBy(() -> InferenceEngine.parse("tensorrt", Device.cpu())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("auto, onnxruntime or pytorch");
        assertThatThrownBy(() -> InferenceEngine.parse("onnxruntime", Device.gpu())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("engine pytorch");
    }
}
