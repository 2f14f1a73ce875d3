package io.resnet4j.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoint metadata is part of an untrusted file: an architecture, numbers and preprocessing
 * that disagree with the tensors are refused at load, once, naming the file, before any network
 * is built (the time bound catches a loader that builds first).
 */
class UntrustedMetadataTest {

    static AbstractThrowableAssert<?, ? extends Throwable> refusedAtLoad(Path file) {
        return assertThatThrownBy(() -> Assertions.assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            try (NDManager m = NDManager.newBaseManager()) {
                WeightsLoader.load(file.toString(), WeightsLoader.Options.defaults(), m);
            }
        })).isInstanceOf(WeightsFormatException.class).hasMessageStartingWith(file.toString())
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void aSpecBeyondTheLimitsIsRefusedBeforeAnythingIsBuilt(@TempDir Path dir) throws Exception {
        refusedAtLoad(HostileFiles.hugeSpecCheckpoint(dir.resolve("deep.safetensors")))
                .hasMessageContaining("blocks [3, 3, 100000] and widths [16, 32, 64] exceed resnet4j's limits"
                        + " (at most 8 stages, 1000 units a stage, 2000 units, width 4096)");
    }

    @Test
    void aSpecThatTheTensorsDoNotHoldIsRefusedBeforeAnythingIsBuilt(@TempDir Path dir) throws Exception {
        Path file = HostileFiles.editedCheckpoint(HostileFiles.legacyResnet20(), dir.resolve("r.safetensors"),
                meta -> meta.put("spec", meta.get("spec").asText().replace("[3,3,3]", "[3,3,900]")));
        // 897 more basic units of width 64: two 3x3x64x64 convs and two BNs each, 73,984 parameters.
        long needed = 269_722L + 897L * 73_984;
        refusedAtLoad(file).hasMessageContaining("describes resnet20 (blocks [3, 3, 900], widths [16, 32, 64],"
                + " 10 classes), which has " + needed + " parameters, but its tensors hold 269722; the architecture"
                + " does not match the weights");
        Path classes = HostileFiles.editedCheckpoint(HostileFiles.legacyResnet20(), dir.resolve("c.safetensors"),
                meta -> meta.put("classes", "99999"));
        refusedAtLoad(classes).hasMessageContaining("99999 classes");
    }

    @Test
    void aZeroStdIsRefusedAtLoadNotTurnedIntoNanProbabilities(@TempDir Path dir) throws Exception {
        Path file = HostileFiles.editedCheckpoint(HostileFiles.legacyResnet20(), dir.resolve("std0.safetensors"),
                meta -> meta.put("preprocessing", meta.get("preprocessing").asText()
                        .replace("\"std\":[0.2509804,0.2509804,0.2509804]", "\"std\":[0.2509804,0,0.2509804]")));
        refusedAtLoad(file).hasMessageContaining("preprocessing std [0.2509804, 0.0, 0.2509804] must be positive");
    }

    @Test
    void aResizeOrCropOutOfRangeIsRefusedOnceAtLoad(@TempDir Path dir) throws Exception {
        Path file = HostileFiles.editedCheckpoint(HostileFiles.legacyResnet20(), dir.resolve("crop.safetensors"),
                meta -> meta.put("preprocessing", meta.get("preprocessing").asText()
                        .replace("\"input_size\":32", "\"input_size\":32,\"crop\":100000")));
        refusedAtLoad(file).hasMessageContaining("crop 100000 out of range (sides up to 4096)");
    }

    @Test
    void numbersAndJsonInMetadataFailWithTheFieldNotABareNumber(@TempDir Path dir) throws Exception {
        Path abc = HostileFiles.editedCheckpoint(HostileFiles.legacyResnet20(), dir.resolve("abc.safetensors"),
                meta -> meta.put("classes", "abc"));
        refusedAtLoad(abc).hasMessageEndingWith("field 'classes' is 'abc', not a whole number");
        Path json = HostileFiles.editedCheckpoint(HostileFiles.legacyResnet20(), dir.resolve("json.safetensors"),
                meta -> meta.put("class_names", "[\"cat\", "));
        refusedAtLoad(json).hasMessageContaining("has unreadable resnet4j metadata: Unexpected end-of-input")
                .hasMessageContaining("at line 1, column");
        Path stem = HostileFiles.editedCheckpoint(HostileFiles.legacyResnet20(), dir.resolve("stem.safetensors"),
                meta -> meta.put("spec", meta.get("spec").asText().replace("\"CIFAR\"", "\"HUGE\"")));
        refusedAtLoad(stem).hasMessageContaining("stored spec's 'stem' is 'HUGE'; expected one of [IMAGENET, CIFAR]");
    }

    @Test
    void aForeignStateDictNamingAHugeStageIsRefusedBeforeAnythingIsBuilt(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("names.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> tensors = new LinkedHashMap<>(StateDicts.normalise(
                    TorchPickle.readStateDict(Path.of(getClass().getResource("/weights/resnet20_wrapped.pth").toURI()), m)));
            tensors.put("layer3.99999.conv1.weight", m.create(new float[] {1}));
            SafeTensors.write(file, tensors, Map.of());
        }
        refusedAtLoad(file).hasMessageContaining("its tensor names and shapes describe no buildable ResNet")
                .hasMessageContaining("[3, 3, 100000]");
    }
}
