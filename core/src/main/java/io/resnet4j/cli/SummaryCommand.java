package io.resnet4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.resnet4j.model.ModelStats;
import io.resnet4j.model.ResNetConfig;
import io.resnet4j.model.ResNetSpec;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code resnet4j summary MODEL}: a Table-1-like breakdown by stage. */
@Command(name = "summary", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, sortOptions = false,
        description = "Show a Table-1-like breakdown of a model: per stage the output size, blocks, parameters and multiply-adds.")
final class SummaryCommand implements Callable<Integer> {

    @Mixin
    ModelSelection selection;

    @Option(names = "--json", description = "Print a JSON object instead of the table.")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ResNetConfig config = selection.config();
        ModelStats stats = config.plan().stats();
        ResNetSpec s = config.spec();
        PrintWriter out = spec.commandLine().getOut();
        boolean bottleneck = s.blockType() == io.resnet4j.model.BlockType.BOTTLENECK;
        String strideOn = bottleneck ? config.stridePlacement().label() : null;
        if (json) {
            ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            ObjectNode o = mapper.createObjectNode();
            o.put("name", s.name());
            o.put("input_size", config.inputSize());
            o.put("classes", config.classes());
            o.put("shortcut", config.shortcutLabel());
            if (strideOn != null) {
                o.put("stride_on", strideOn);
            }
            o.put("depth", s.depth());
            o.put("params", stats.totalParams());
            o.put("macs", stats.totalMacs());
            ArrayNode stages = o.putArray("stages");
            for (ModelStats.Row r : stats.rows()) {
                ObjectNode row = stages.addObject();
                row.put("layer", r.layer());
                row.put("output_size", r.outputSize());
                row.put("output_channels", r.outputChannels());
                row.put("blocks", r.blocks());
                row.put("layout", r.layout());
                row.put("params", r.params());
                row.put("macs", r.macs());
            }
            out.println(mapper.writeValueAsString(o));
        } else {
            out.printf(Locale.ROOT, "%s: %s%n", s.name(), s.description());
            out.printf(Locale.ROOT, "input %dx%d, %d classes, shortcut %s%s%n%n", config.inputSize(), config.inputSize(),
                    config.classes(), config.shortcutLabel(), bottleneck ? ", bottleneck stride on " + strideOn : "");
            out.printf(Locale.ROOT, "%-8s %-11s %6s  %-44s %14s %12s%n", "LAYER", "OUTPUT", "BLOCKS", "LAYOUT", "PARAMS", "MACS");
            for (ModelStats.Row r : stats.rows()) {
                String size = r.layer().equals("fc") ? String.valueOf(r.outputChannels())
                        : r.outputSize() + "x" + r.outputSize() + "x" + r.outputChannels();
                out.printf(Locale.ROOT, "%-8s %-11s %6s  %-44s %14s %12s%n", r.layer(), size,
                        r.blocks() == 0 ? "" : "x" + r.blocks(), r.layout(), Format.count(r.params()), Format.macs(r.macs()));
            }
            out.printf(Locale.ROOT, "%-8s %-11s %6s  %-44s %14s %12s%n", "total", "", "", "",
                    Format.count(stats.totalParams()), Format.macs(stats.totalMacs()));
        }
        out.flush();
        return 0;
    }
}
