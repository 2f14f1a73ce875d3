package io.resnet4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.resnet4j.train.LearningRateSchedule;
import io.resnet4j.train.TrainConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which recipe {@code train} applies, read back from the run.json it records: the data decides
 * the recipe (CIFAR or ImageNet), never the depth of the model.
 */
class TrainRecipeCliTest {

    private static JsonNode config(Path run) throws Exception {
        return new ObjectMapper().readTree(run.resolve("run.json").toFile()).get("config");
    }

    @Test
    void anImageFolderRunOfA110LayerNetHasNoCifarWarmup(@TempDir Path tmp) throws Exception {
        Path data = ImageFolderCliTest.makeFolder(tmp.resolve("data"));
        Path run = tmp.resolve("run");
        CliTest.Result r = CliTest.run("train", "--data", data.toString(), "--model", "resnet110", "--input", "32",
                "--batch-size", "4", "--iterations", "1", "--output", run.toString());
        assertThat(r.code()).as(r.err()).isZero();
        LearningRateSchedule s = TrainConfig.fromJson(config(run)).schedule();
        // The warm-up at 0.01 is the CIFAR recipe's (ResNet-110 and -1202 on CIFAR); the ImageNet one starts at 0.1.
        assertThat(s.hasWarmup()).isFalse();
        assertThat(s.rate(0, false)).isEqualTo(0.1f);
    }

    @Test
    void theImageNetRecipeHasNoFixedMilestonesWhenThePlateauRuleIsOff(@TempDir Path tmp) throws Exception {
        Path data = ImageFolderCliTest.makeFolder(tmp.resolve("data"));
        Path run = tmp.resolve("run");
        CliTest.Result r = CliTest.run("train", "--data", data.toString(), "--model", "resnet18", "--input", "32",
                "--batch-size", "4", "--plateau-patience", "0", "--stop-after", "1", "--output", run.toString());
        assertThat(r.code()).as(r.err()).isZero();
        TrainConfig c = TrainConfig.fromJson(config(run));
        assertThat(c.iterations()).isEqualTo(600_000);
        assertThat(c.batchSize()).isEqualTo(4);
        // Milestones of a one-epoch CIFAR schedule (iterations 2 and 3 of 600,000) must not leak in.
        assertThat(c.schedule().milestones()).isEmpty();
        assertThat(c.schedule().rate(3_750, true)).isEqualTo(0.1f);
        assertThat(c.schedule().rate(599_999, true)).isEqualTo(0.1f);
    }

    @Test
    void anExplicitBudgetRescalesTheImageNetRecipeWithoutInventingMilestones(@TempDir Path tmp) throws Exception {
        Path data = ImageFolderCliTest.makeFolder(tmp.resolve("data"));
        Path run = tmp.resolve("run");
        CliTest.Result r = CliTest.run("train", "--data", data.toString(), "--model", "resnet18", "--input", "32",
                "--batch-size", "4", "--epochs", "3", "--plateau-patience", "0", "--stop-after", "1",
                "--output", run.toString());
        assertThat(r.code()).as(r.err()).isZero();
        TrainConfig c = TrainConfig.fromJson(config(run));
        assertThat(c.iterations()).isEqualTo(12); // 3 epochs of 16 images in batches of 4
        assertThat(c.schedule().milestones()).isEmpty();
    }

    @Test
    void aConfigurationErrorNamesTheFlagToChange(@TempDir Path tmp) throws Exception {
        Path data = ImageFolderCliTest.makeFolder(tmp.resolve("data"));
        Path run = tmp.resolve("run");
        CliTest.Result r = CliTest.run("train", "--data", data.toString(), "--input", "32", "--batch-size", "6",
                "--accumulate", "4", "--output", run.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--accumulate: batch size 6 does not split into 4 equal micro-batches");
        assertThat(run.resolve("run.json")).doesNotExist();
        CliTest.Result zero = CliTest.run("train", "--data", data.toString(), "--input", "32", "--batch-size", "0");
        assertThat(zero.err()).contains("--batch-size must be at least 1, got 0");
        CliTest.Result classes = CliTest.run("train", "--data", data.toString(), "--input", "32", "--num-classes", "1");
        assertThat(classes.err()).contains("--num-classes 1 is fewer than the 2 classes of the data");
    }
}
