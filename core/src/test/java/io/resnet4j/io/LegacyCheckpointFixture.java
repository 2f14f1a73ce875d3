package io.resnet4j.io;

import io.resnet4j.image.Preprocessing;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.resnet4j.model.ResNet;
import io.resnet4j.model.ResNetConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the format-1 checkpoint kept in src/test/resources/checkpoints (a resnet20 with random
 * weights and BN statistics, plus an input and its eval-mode output), so later versions can prove
 * they still load what this one wrote. Run once: java -cp target/test-classes:target/classes:target/lib/*
 * io.resnet4j.io.LegacyCheckpointFixture src/test/resources/checkpoints
 */
public final class LegacyCheckpointFixture {
    private LegacyCheckpointFixture() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Engine.getInstance().setRandomSeed(20261122);
        try (NDManager m = NDManager.newBaseManager()) {
            ResNet net = new ResNet(ResNetConfig.of("resnet20")).initialize(m);
            net.stateDict().forEach((k, p) -> {
                if (k.endsWith("running_var") || (k.endsWith(".weight") && p.getArray().getShape().dimension() == 1)) {
                    p.getArray().set(m.randomUniform(0.5f, 1.5f, p.getArray().getShape()).toFloatArray());
                } else if (k.endsWith("running_mean") || k.endsWith(".bias")) {
                    p.getArray().set(m.randomNormal(0, 0.1f, p.getArray().getShape(), ai.djl.ndarray.types.DataType.FLOAT32).toFloatArray());
                }
            });
            float[] mean = new float[3072];
            for (int i = 0; i < mean.length; i++) {
                mean[i] = 0.4f + 0.1f * (i % 7) / 7f;
            }
            Preprocessing pre = Preprocessing.perPixelMean(mean, new float[] {64f / 255, 64f / 255, 64f / 255}, 32);
            var prov = new ObjectMapper().createObjectNode();
            prov.put("resnet4j_version", "0.1.0-SNAPSHOT");
            prov.put("created", "2026-11-22T00:00:00Z");
            prov.put("run", "LegacyCheckpointFixture");
            Checkpoint.save(dir.resolve("v1-resnet20.safetensors"), net,
                    List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"),
                    pre, prov);
            NDArray x = m.randomNormal(new Shape(2, 3, 32, 32));
            NDArray y = net.forward(new ParameterStore(m, false), new NDList(x), false).singletonOrThrow();
            Map<String, NDArray> io = new LinkedHashMap<>();
            io.put("input", x);
            io.put("output", y);
            SafeTensors.write(dir.resolve("v1-resnet20-expected.safetensors"), io, Map.of());
        }
    }
}
