package io.resnet4j.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import io.resnet4j.model.StridePlacement;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Full torchvision ResNet-18/34/50/101 with random weights and random BN statistics, made by
 * Debian's PyTorch in a temporary folder, loaded here from .pth and from .safetensors with the
 * architecture inferred: logits and pooled features on the photo crops within 1e-4 relative error
 * of PyTorch's, same top-5. Skipped where /usr/bin/python3 has no torch.
 */
@Tag("slow")
class TorchvisionModelsSlowTest {

    static final Path PYTHON = Path.of("/usr/bin/python3");

    @Test
    void fullModelsMatchPyTorch(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(PYTHON), "no /usr/bin/python3");
        Process probe = new ProcessBuilder(PYTHON.toString(), "-c", "import torch, torchvision, PIL, numpy")
                .redirectErrorStream(true).start();
        assumeTrue(probe.waitFor(60, TimeUnit.SECONDS) && probe.exitValue() == 0, "no torch/torchvision for /usr/bin/python3");
        List<String> models = List.of("resnet18", "resnet34", "resnet50", "resnet101");
        Path images = TorchPickleTest.fixture("images_224.safetensors");
        List<String> cmd = new ArrayList<>(List.of(PYTHON.toString(), "tools/fixtures/make_weights_fixtures.py", "full",
                dir.toString(), images.toString()));
        cmd.addAll(models);
        Process gen = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String log = new String(gen.getInputStream().readAllBytes());
        assertThat(gen.waitFor(20, TimeUnit.MINUTES)).isTrue();
        assertThat(gen.exitValue()).as(log).isZero();

        StringBuilder report = new StringBuilder();
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = WeightsEquivalenceTest.inputs(images, m);
            for (String model : models) {
                Map<String, NDArray> want = SafeTensors.read(dir.resolve(model + "_expected.safetensors"), m).tensors();
                for (String ext : List.of(".pth", ".safetensors")) {
                    try (NDManager sub = m.newSubManager()) {
                        WeightsLoader.Loaded l = WeightsLoader.load(dir.resolve(model + ext).toString(),
                                WeightsLoader.Options.defaults(), sub);
                        assertThat(l.net().config().spec().name()).isEqualTo(model);
                        if (model.equals("resnet50") || model.equals("resnet101")) {
                            assertThat(l.net().config().stridePlacement()).isEqualTo(StridePlacement.MIDDLE_3X3);
                        }
                        ParameterStore ps = new ParameterStore(sub, false);
                        NDArray logits = l.net().forward(ps, new NDList(x), false).singletonOrThrow();
                        NDArray pooled = l.net().pooledFeatures(ps, x, false);
                        float le = WeightsEquivalenceTest.relativeError(logits, want.get("logits"));
                        float fe = WeightsEquivalenceTest.relativeError(pooled, want.get("pooled"));
                        boolean top5 = java.util.Arrays.deepEquals(WeightsEquivalenceTest.top5(logits),
                                WeightsEquivalenceTest.top5(want.get("logits")));
                        String line = String.format(java.util.Locale.ROOT,
                                "%-10s %-12s logits max rel err %.3e, pooled max rel err %.3e, top-5 agree: %s",
                                model, ext, le, fe, top5);
                        report.append(line).append('\n');
                        System.out.println(line);
                        assertThat(le).as(line).isLessThan(1e-4f);
                        assertThat(fe).as(line).isLessThan(1e-4f);
                        assertThat(top5).as(line).isTrue();
                    }
                }
            }
        }
        Files.writeString(Path.of("target", "torchvision-models-slow-report.txt"), report);
    }
}
