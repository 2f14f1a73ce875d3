package io.resnet4j.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Test;

class LayoutsTest {

    @Test
    void channelsLastKeepsShapeValuesAndWhatTheNetworkComputes() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.randomNormal(new Shape(4, 3, 32, 32));
            NDArray cl = Layouts.channelsLast(x);
            assertThat(cl.getShape()).isEqualTo(x.getShape());
            assertThat(cl.toFloatArray()).containsExactly(x.toFloatArray());
            NDArray flat = m.arange(6f);
            assertThat(Layouts.channelsLast(flat)).isSameAs(flat);

            GradMode.off();
            ResNet net = new ResNet(ResNetConfig.of("resnet20")).initialize(m);
            ParameterStore ps = new ParameterStore(m, false);
            float[] nchw = net.forward(ps, new NDList(x), false).singletonOrThrow().toFloatArray();
            float[] nhwc = net.forward(ps, new NDList(cl), false).singletonOrThrow().toFloatArray();
            for (int i = 0; i < nchw.length; i++) {
                assertThat(nhwc[i]).isCloseTo(nchw[i], org.assertj.core.api.Assertions.within(1e-4f * (1 + Math.abs(nchw[i]))));
            }
        }
    }
}
