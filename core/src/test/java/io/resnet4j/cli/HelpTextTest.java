package io.resnet4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** The help says what is true, in one vocabulary of placeholders for all commands. */
class HelpTextTest {

    /** One placeholder per concept (N a count, K classes, SIDE pixels, ITER an iteration number, ...). */
    private static final Set<String> VOCABULARY = Set.of("N", "K", "SIDE", "ITER", "LR", "MOMENTUM", "DECAY", "SEED",
            "MODEL", "WEIGHTS", "DIR", "RUN_DIR", "FILE", "DEVICE", "SPLIT", "STAGE", "MAP", "LAYER", "DEPTH", "PERCENT",
            "MS", "SECONDS", "MINUTES", "SCORE", "SIZE", "HOST", "PORT", "NAME", "DIR_OR_DATA");

    /** Every option that takes a value, as "command --option" -> placeholder. */
    private static Map<String, String> placeholders() {
        Map<String, String> labels = new TreeMap<>();
        Deque<CommandLine> todo = new ArrayDeque<>(List.of(Main.newCommandLine()));
        while (!todo.isEmpty()) {
            CommandLine c = todo.pop();
            todo.addAll(new LinkedHashSet<>(c.getSubcommands().values()));
            for (OptionSpec o : c.getCommandSpec().options()) {
                if (o.arity().max() > 0) {
                    labels.put(c.getCommandSpec().qualifiedName() + " " + o.longestName(), o.paramLabel());
                }
            }
        }
        return labels;
    }

    @Test
    void everyPlaceholderComesFromOneVocabulary() {
        Map<String, String> labels = placeholders();
        assertThat(labels).hasSizeGreaterThan(100);
        List<String> outside = new ArrayList<>();
        labels.forEach((option, label) -> {
            // a list of choices (A|B|C) names its values; anything else is a word of the vocabulary
            if (!label.contains("|") && !VOCABULARY.contains(label) && !label.equals("onnx") && !label.equals("int8")) {
                outside.add(option + "=" + label);
            }
        });
        assertThat(outside).as("picocli's <fieldName> defaults and private words").isEmpty();
    }

    @Test
    void theSameOptionHasTheSamePlaceholderEverywhere() {
        Map<String, Set<String>> byOption = new TreeMap<>();
        placeholders().forEach((option, label) -> byOption.computeIfAbsent(option.substring(option.lastIndexOf(' ') + 1),
                k -> new TreeSet<>()).add(label));
        byOption.remove("--output"); // a run folder for train and experiment, a file for export and features
        byOption.forEach((option, labels) -> assertThat(labels).as(option).hasSize(1));
        assertThat(byOption.get("--batch-size")).containsExactly("N");
        assertThat(byOption.get("--weights")).containsExactly("WEIGHTS");
        assertThat(byOption.get("--model")).containsExactly("MODEL");
        assertThat(byOption.get("--resume")).containsExactly("RUN_DIR");
        Map<String, String> labels = placeholders();
        assertThat(labels.get("resnet4j train --output")).isEqualTo("RUN_DIR");
        assertThat(labels.get("resnet4j experiment degradation --output")).isEqualTo("RUN_DIR");
    }

    private static String help(String... command) {
        CommandLine cl = Main.newCommandLine();
        for (String c : command) {
            cl = cl.getSubcommands().get(c);
        }
        return cl.getUsageMessage(CommandLine.Help.Ansi.OFF);
    }

    @Test
    void descriptionsSayWhatTheCommandsDo() {
        assertThat(help("train")).contains("Image folders, the paper's ImageNet recipe").contains("Fine-tuning (--init)")
                .doesNotContain("Train a CIFAR network");
        String eval = help("eval");
        assertThat(eval.substring(eval.indexOf("--data=DIR"))).contains("cifar-10-binary.tar.gz")
                .contains("image folder ROOT with ROOT/val/<class>");
        assertThat(help("export")).doesNotContain("default 13)").contains("--opset=N").contains("(default: 13)");
        assertThat(help("experiment", "degradation")).contains("--resume[=RUN_DIR]");
    }

    @Test
    void summaryNamesTheStridePlacementOnlyForBottlenecks() {
        CliTest.Result basic = CliTest.run("summary", "resnet20");
        assertThat(basic.code()).isZero();
        assertThat(basic.out()).contains("shortcut A").doesNotContain("stride on").doesNotContain("n/a");
        assertThat(CliTest.run("summary", "resnet50").out()).contains("bottleneck stride on 1x1");
    }

    @Test
    void mistypedCommandsAndOptionsGetTheNearestNames() {
        assertThat(usageLine("trian")).isEqualTo("resnet4j: unknown command 'trian'; did you mean train?");
        assertThat(usageLine("versoin")).isEqualTo("resnet4j: unknown command 'versoin'; did you mean version?");
        assertThat(usageLine("clasify")).isEqualTo("resnet4j: unknown command 'clasify'; did you mean classify?");
        assertThat(usageLine("frobnicate")).startsWith("resnet4j: unknown command 'frobnicate'; the commands are demo,")
                .contains(" train,").contains(" version");
        assertThat(usageLine("train", "--bach-size", "8"))
                .isEqualTo("resnet4j: unknown option '--bach-size'; did you mean --batch-size?");
        assertThat(usageLine("eval", "--weights", "w", "--data", "d", "--protocl=ten-crop"))
                .isEqualTo("resnet4j: unknown option '--protocl'; did you mean --protocol?");
        assertThat(CliTest.run("list").code()).isZero();
        assertThat(CliTest.run("version").out()).contains("resnet4j");
    }

    private static String usageLine(String... args) {
        CliTest.Result r = CliTest.run(args);
        assertThat(r.code()).isEqualTo(2);
        return r.err().lines().findFirst().orElseThrow();
    }

    @Test
    void typingDistanceCountsASwapAsOneMistake() {
        assertThat(Suggestions.distance("trian", "train")).isEqualTo(1);
        assertThat(Suggestions.distance("lst", "list")).isEqualTo(1);
        assertThat(Suggestions.distance("trian", "experiment")).isGreaterThan(5);
        assertThat(Suggestions.closest("sumary", List.of("summary", "serve", "demo"))).containsExactly("summary");
    }
}
