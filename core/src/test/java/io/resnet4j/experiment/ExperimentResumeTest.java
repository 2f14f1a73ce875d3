package io.resnet4j.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.resnet4j.WeightsDiff;
import io.resnet4j.model.ResNetConfig;
import io.resnet4j.train.RunJson;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each member of an experiment resumes where it stopped: after its checkpoint, or from iteration 0 without one. */
class ExperimentResumeTest {

    private static final List<ExperimentRunner.Member> MEMBERS = List.of(
            new ExperimentRunner.Member("resnet20", "ResNet-20", ResNetConfig.of("resnet20")),
            new ExperimentRunner.Member("plain20", "plain-20", ResNetConfig.of("plain20")));

    @Test
    void everyMemberResumesWhereItStopped(@TempDir Path tmp) throws Exception {
        // 64 images / batch 16 = 4 iterations a member.
        ExperimentData data = ExperimentData.load(null, 64, 32);
        Budget budget = new Budget(1, null, false, 16, 42, 1);
        StringWriter log = new StringWriter();
        Path reference = tmp.resolve("reference");
        new ExperimentRunner("degradation", reference, data, budget, Device.cpu(), new PrintWriter(log))
                .run(MEMBERS, false);

        Path dir = tmp.resolve("exp");
        List<ExperimentRunner.MemberResult> first = runner(dir, data, budget, log)
                .invoker((trainer, record, resume) -> trainer.stopAt(2).run(resume)).run(MEMBERS, false);
        assertThat(first.get(0).status()).isEqualTo("interrupted");
        assertThat(first.get(1).status()).isEqualTo("pending");

        assertThatThrownBy(() -> runner(dir, data, budget, log).run(MEMBERS, false))
                .isInstanceOf(ExperimentException.class).hasMessageContaining("holds a stopped run")
                .hasMessageContaining("pass --resume").hasMessageContaining("its checkpoint at iteration 2");

        // The second member dies before its first checkpoint (what a SIGKILL leaves).
        List<ExperimentRunner.MemberResult> second = runner(dir, data, budget, log)
                .invoker((trainer, record, resume) -> resume ? trainer.run(true) : trainer.stopAt(1).run(false))
                .run(MEMBERS, true);
        assertThat(second.get(0).status()).isEqualTo("completed");
        deleteTree(dir.resolve("plain20/checkpoints"));
        ObjectNode json = (ObjectNode) RunJson.read(dir.resolve("plain20"));
        json.put("status", "running");
        Files.write(dir.resolve("plain20/run.json"), new ObjectMapper().writeValueAsBytes(json));

        StringWriter last = new StringWriter();
        List<ExperimentRunner.MemberResult> third = new ExperimentRunner("degradation", dir, data, budget, Device.cpu(),
                new PrintWriter(last)).run(MEMBERS, true);
        assertThat(third).allMatch(ExperimentRunner.MemberResult::completed);
        assertThat(last.toString()).contains("resnet20: already finished, skipped")
                .contains("plain20: continues from iteration 0 with its recorded configuration")
                .contains("ended without recording why");
        for (String member : List.of("resnet20", "plain20")) {
            assertThat(WeightsDiff.max(reference.resolve(member).resolve("model.safetensors"),
                    dir.resolve(member).resolve("model.safetensors"))).as(member).isLessThanOrEqualTo(1e-5f);
        }
        JsonNode resumed = RunJson.read(dir.resolve("resnet20"));
        assertThat(resumed.get("resumptions").get(0).get("iteration").asLong()).isEqualTo(2);
        assertThat(resumed.get("resumptions").get(0).get("previous_end").asText())
                .isEqualTo("interrupted: stopped at iteration 2 as asked");
    }

    private static ExperimentRunner runner(Path dir, ExperimentData data, Budget budget, StringWriter log)
            throws Exception {
        return new ExperimentRunner("degradation", dir, data, budget, Device.cpu(), new PrintWriter(log));
    }

    private static void deleteTree(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
