package io.resnet4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command line run in-process: exit codes, messages and the JSON contracts of the issues. */
class CliTest {

    record Result(int code, String out, String err) {}

    static Result run(String... args) {
        CommandLine cl = Main.newCommandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void modelsJsonListsEveryModelWithTheContractFields() throws Exception {
        Result r = run("models", "--json");
        assertThat(r.code()).isZero();
        JsonNode array = new ObjectMapper().readTree(r.out());
        assertThat(array.size()).isEqualTo(27);
        JsonNode first = array.get(0);
        assertThat(first.get("name").asText()).isEqualTo("resnet18");
        assertThat(first.get("params").asLong()).isEqualTo(11_689_512L);
        assertThat(first.get("macs").asLong()).isBetween(1_814_000_000L, 1_814_200_000L);
        assertThat(first.get("input_size").asInt()).isEqualTo(224);
        assertThat(first.get("classes").asInt()).isEqualTo(1000);
        JsonNode r20 = array.get(5);
        assertThat(r20.get("name").asText()).isEqualTo("resnet20");
        assertThat(r20.get("params").asLong()).isEqualTo(269_722L);
        assertThat(r20.get("input_size").asInt()).isEqualTo(32);
        assertThat(r20.get("classes").asInt()).isEqualTo(10);
    }

    /** A bare '%' in a description breaks picocli's formatting (it warns on stderr and prints raw text). */
    @Test
    void everyCommandsHelpFormatsCleanly() {
        java.io.PrintStream original = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
        java.util.List<String> usages = new java.util.ArrayList<>();
        try {
            java.util.ArrayDeque<CommandLine> todo = new java.util.ArrayDeque<>(java.util.List.of(Main.newCommandLine()));
            while (!todo.isEmpty()) {
                CommandLine c = todo.pop();
                usages.add(c.getUsageMessage());
                todo.addAll(c.getSubcommands().values());
            }
        } finally {
            System.setErr(original);
        }
        assertThat(usages).hasSizeGreaterThan(12);
        assertThat(captured.toString(java.nio.charset.StandardCharsets.UTF_8)).doesNotContain("WARN");
        assertThat(String.join("\n", usages)).contains("below 80% (default").doesNotContain("%%");
    }

    @Test
    void modelsTableShowsCounts() {
        Result r = run("models");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("resnet152").contains("60,192,808").contains("11.2824 G").contains("preact-resnet1001");
    }

    @Test
    void summaryBreaksDownByStageAndHonoursOptions() throws Exception {
        Result r = run("summary", "resnet50", "--stride-on", "3x3", "--json");
        assertThat(r.code()).isZero();
        JsonNode o = new ObjectMapper().readTree(r.out());
        assertThat(o.get("params").asLong()).isEqualTo(25_557_032L);
        assertThat(o.get("macs").asLong() / 1e9).isBetween(4.0891, 4.0893);
        assertThat(o.get("stride_on").asText()).isEqualTo("3x3");
        assertThat(o.get("stages").size()).isEqualTo(6);
        assertThat(o.get("stages").get(2).get("output_size").asInt()).isEqualTo(28);

        Result custom = run("summary", "resnet18", "--classes", "10", "--input", "64", "--shortcut", "A", "--json");
        assertThat(custom.code()).isZero();
        JsonNode c = new ObjectMapper().readTree(custom.out());
        // Option A drops the three projections; 10 classes shrink the fc.
        assertThat(c.get("params").asLong()).isEqualTo(11_689_512L - 172_032 - 1792 - 513_000 + 5_130);
        assertThat(c.get("stages").get(1).get("output_size").asInt()).isEqualTo(16);

        Result table = run("summary", "resnet20");
        assertThat(table.out()).contains("conv4_x").contains("8x8x64").contains("269,722").contains("40.55 M");
    }

    @Test
    void badInputExitsTwoWithAMessageListingWhatIsValid() {
        Result unknown = run("summary", "resnet19");
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).contains("unknown model 'resnet19'").contains("resnet20, resnet32");
        assertThat(unknown.err().lines().count()).isLessThanOrEqualTo(2);

        Result shortcut = run("summary", "resnet20", "--shortcut", "D");
        assertThat(shortcut.code()).isEqualTo(2);
        assertThat(shortcut.err()).contains("B (projection");

        Result stride = run("summary", "resnet34", "--stride-on", "3x3");
        assertThat(stride.code()).isEqualTo(2);
        assertThat(stride.err()).contains("bottleneck");

        Result input = run("summary", "resnet50", "--input", "8");
        assertThat(input.code()).isEqualTo(2);
        assertThat(input.err()).contains("valid sizes are 32 to 4096");

        Result command = run("sumary");
        assertThat(command.code()).isEqualTo(2);
        assertThat(command.err()).contains("summary");
    }

    @Test
    void helpAndVersion() {
        Result help = run("--help");
        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("models").contains("summary");
        Result sub = run("summary", "--help");
        assertThat(sub.code()).isZero();
        assertThat(sub.out()).contains("--stride-on").contains("--shortcut");
        Result version = run("--version");
        assertThat(version.code()).isZero();
        assertThat(version.out()).contains("resnet4j").contains("DJL 0.35.0");
    }

    @Test
    void commonGuessesWorkAndCifarSummariesSayNothingOfBottlenecks() {
        Result version = run("version");
        assertThat(version.code()).isZero();
        assertThat(version.out()).startsWith("resnet4j ").contains("DJL");
        assertThat(run("list").out()).contains("resnet50").contains("resnet20");
        assertThat(run("classify", "--help").out()).contains("--weights");
        Result summary = run("summary", "resnet20");
        assertThat(summary.out()).doesNotContain("n/a").doesNotContain("bottleneck");
        assertThat(run("summary", "resnet50").out()).contains("bottleneck stride on 1x1");
    }
}
