package io.resnet4j.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.resnet4j.model.BlockType;
import io.resnet4j.model.ResNet;
import io.resnet4j.model.ResNetConfig;
import io.resnet4j.model.ResNetSpec;
import io.resnet4j.model.Shortcut;
import io.resnet4j.model.Stem;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The Figure 7 statistic: the accumulator, the probe on arrays of known std, and a tiny network end to end. */
class ResponseStatisticsTest {

    /** One unit per stage: 3 basic units, so 6 probed 3x3 layers. */
    static final ResNetSpec TINY = new ResNetSpec("tiny", Stem.CIFAR, 8, BlockType.BASIC, List.of(1, 1, 1),
            List.of(8, 16, 32), true, false, Shortcut.A, 32, 10, "test net");

    @Test
    void chunkedMomentsEqualTheTwoPassStatisticsAndSurviveALargeOffset() {
        Random r = new Random(3);
        double[] all = new double[10_000];
        for (int i = 0; i < all.length; i++) {
            // A mean of 1e8 against a spread of ~1: sum-of-squares formulas lose every digit here.
            all[i] = 1e8 + r.nextGaussian();
        }
        RunningMoments m = new RunningMoments();
        int[] cuts = {0, 1, 7, 1000, 1001, 6000, 10_000};
        for (int k = 0; k + 1 < cuts.length; k++) {
            m.add(java.util.Arrays.copyOfRange(all, cuts[k], cuts[k + 1]));
        }
        double mean = java.util.Arrays.stream(all).map(v -> v - 1e8).average().orElseThrow();
        double var = java.util.Arrays.stream(all).map(v -> (v - 1e8 - mean) * (v - 1e8 - mean)).sum() / all.length;
        assertThat(m.count()).isEqualTo(10_000);
        assertThat(m.mean() - 1e8).isCloseTo(mean, within(1e-6));
        assertThat(m.std()).isCloseTo(Math.sqrt(var), within(1e-9));

        RunningMoments small = new RunningMoments();
        small.add(1, 2, 3);
        small.add(4);
        // {1,2,3,4}: mean 2.5, population variance 1.25.
        assertThat(small.mean()).isEqualTo(2.5);
        assertThat(small.variance()).isCloseTo(1.25, within(1e-15));
        assertThat(new RunningMoments().std()).isNaN();
    }

    @Test
    void probePoolsAllElementsOfAllBatches() {
        try (NDManager manager = NDManager.newBaseManager(ai.djl.Device.cpu())) {
            ResponseStatistics stats = new ResponseStatistics();
            // Batch 1: all elements 0 or 2 (mean 1, var 1); batch 2: all 4 (mean 4, var 0).
            // Pooled over 16 + 8 elements: mean (16*1 + 8*4)/24 = 2, var = (16*(1+1) + 8*4)/24 = 64/24.
            float[] a = new float[16];
            for (int i = 0; i < a.length; i++) {
                a[i] = i % 2 == 0 ? 0 : 2;
            }
            stats.record("layer1.0.conv1", manager.create(a, new Shape(2, 2, 2, 2)));
            stats.record("layer1.0.conv2", manager.create(new float[] {5, 5, 5, 5}, new Shape(1, 1, 2, 2)));
            float[] b = new float[8];
            java.util.Arrays.fill(b, 4);
            stats.record("layer1.0.conv1", manager.create(b, new Shape(2, 1, 2, 2)));
            List<ResponseStatistics.Layer> layers = stats.layers();
            assertThat(layers).extracting(ResponseStatistics.Layer::name).containsExactly("layer1.0.conv1", "layer1.0.conv2");
            assertThat(layers.get(0).index()).isEqualTo(1);
            assertThat(layers.get(0).count()).isEqualTo(24);
            assertThat(layers.get(0).mean()).isCloseTo(2, within(1e-12));
            assertThat(layers.get(0).std()).isCloseTo(Math.sqrt(64.0 / 24), within(1e-12));
            assertThat(layers.get(1).std()).isZero();
        }
    }

    @Test
    void tinyNetworkReportsTwoLayersPerBasicUnitWithHandComputableStds() {
        try (NDManager manager = NDManager.newBaseManager(ai.djl.Device.cpu())) {
            ResNet net = new ResNet(ResNetConfig.of(TINY)).initialize(manager);
            var sd = net.stateDict();
            // layer1.0.bn1: gamma_c = c+1, beta 3. In training mode BN normalises with the batch's own
            // statistics, so each channel has mean 3 and variance gamma_c^2 (up to eps): over all
            // elements the variance is mean_c(gamma_c^2) = (1+4+...+64)/8 = 25.5.
            float[] gamma = new float[8];
            float[] beta = new float[8];
            for (int c = 0; c < 8; c++) {
                gamma[c] = c + 1;
                beta[c] = 3;
            }
            sd.get("layer1.0.bn1.weight").getArray().set(gamma);
            sd.get("layer1.0.bn1.bias").getArray().set(beta);
            // layer2.0.bn2: gamma 0 and beta_c = c make the output exactly beta_c whatever the input, in any
            // mode: std of {0..15} equally weighted = sqrt((16^2 - 1) / 12).
            float[] zeros = new float[16];
            float[] ramp = new float[16];
            for (int c = 0; c < 16; c++) {
                ramp[c] = c;
            }
            sd.get("layer2.0.bn2.weight").getArray().set(zeros);
            sd.get("layer2.0.bn2.bias").getArray().set(ramp);

            ResponseStatistics stats = new ResponseStatistics();
            net.setResponseProbe(stats);
            Random r = new Random(5);
            ParameterStore ps = new ParameterStore(manager, false);
            for (int batch = 0; batch < 2; batch++) {
                float[] x = new float[4 * 3 * 32 * 32];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) r.nextGaussian();
                }
                try (NDManager scope = manager.newSubManager()) {
                    NDArray input = scope.create(x, new Shape(4, 3, 32, 32));
                    net.forward(ps, new NDList(input), true);
                }
            }
            List<ResponseStatistics.Layer> layers = stats.layers();
            assertThat(layers).extracting(ResponseStatistics.Layer::name).containsExactly(
                    "layer1.0.conv1", "layer1.0.conv2", "layer2.0.conv1", "layer2.0.conv2", "layer3.0.conv1",
                    "layer3.0.conv2");
            assertThat(layers).extracting(ResponseStatistics.Layer::index).containsExactly(1, 2, 3, 4, 5, 6);
            // Two batches of 4 images of 8 channels at 32x32.
            assertThat(layers.get(0).count()).isEqualTo(2L * 4 * 8 * 32 * 32);
            assertThat(layers.get(0).mean()).isCloseTo(3, within(1e-3));
            assertThat(layers.get(0).std()).isCloseTo(Math.sqrt(25.5), within(5e-3));
            assertThat(layers.get(3).std()).isCloseTo(Math.sqrt(255.0 / 12), within(1e-6));
            // Untouched BNs (gamma 1, beta 0) give per-channel mean 0, variance ~1: std ~1.
            for (int i : new int[] {1, 2, 4, 5}) {
                assertThat(layers.get(i).std()).as(layers.get(i).name()).isCloseTo(1, within(5e-3));
            }

            // Inference mode uses running statistics; layer2.0.conv2 is still exactly its betas.
            stats.clear();
            try (NDManager scope = manager.newSubManager()) {
                float[] x = new float[2 * 3 * 32 * 32];
                NDArray input = scope.create(x, new Shape(2, 3, 32, 32));
                net.forward(ps, new NDList(input), false);
            }
            assertThat(stats.layers().get(3).std()).isCloseTo(Math.sqrt(255.0 / 12), within(1e-6));
            net.setResponseProbe(null);
        }
    }
}
