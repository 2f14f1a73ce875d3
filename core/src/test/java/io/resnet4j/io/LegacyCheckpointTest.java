package io.resnet4j.io;

import io.resnet4j.image.Preprocessing;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** A checkpoint written by resnet4j 0.1.0 (format 1) must keep loading, with the same outputs. */
class LegacyCheckpointTest {

    @Test
    void formatOneCheckpointStillLoadsAndComputesTheSame() throws Exception {
        Path ckpt = Path.of(getClass().getResource("/checkpoints/v1-resnet20.safetensors").toURI());
        Path expected = Path.of(getClass().getResource("/checkpoints/v1-resnet20-expected.safetensors").toURI());
        try (NDManager m = NDManager.newBaseManager()) {
            Checkpoint.Loaded loaded = Checkpoint.load(ckpt, m);
            assertThat(loaded.info().config().spec().name()).isEqualTo("resnet20");
            assertThat(loaded.info().config().shortcutLabel()).isEqualTo("A");
            assertThat(loaded.info().classNames()).hasSize(10).startsWith("airplane");
            assertThat(loaded.info().preprocessing().kind()).isEqualTo(Preprocessing.PER_PIXEL_MEAN);
            assertThat(loaded.info().preprocessing().meanImage()).hasSize(3072);
            assertThat(loaded.info().provenance().get("resnet4j_version").asText()).isEqualTo("0.1.0-SNAPSHOT");
            SafeTensors.Contents io = SafeTensors.read(expected, m);
            NDArray y = loaded.net().forward(new ParameterStore(m, false), new NDList(io.tensors().get("input")), false)
                    .singletonOrThrow();
            assertThat(y.sub(io.tensors().get("output")).abs().max().getFloat()).isLessThan(1e-5f);
        }
    }
}
