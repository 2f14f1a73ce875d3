package io.resnet4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.resnet4j.model.ResNetConfig;
import io.resnet4j.model.ResNetPlan;
import io.resnet4j.model.ResNetSpec;
import io.resnet4j.model.ResNetFamily;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code resnet4j models}: every named model with parameters and multiply-adds at its default input. */
@Command(name = "models", aliases = "list", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, sortOptions = false,
        description = "List every named model with its parameters and multiply-adds at its default input size.")
final class ModelsCommand implements Callable<Integer> {

    @Option(names = "--json", description = "Print a JSON array (name, params, macs, input_size, classes, ...).")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            ArrayNode array = mapper.createArrayNode();
            for (ResNetSpec s : ResNetFamily.all()) {
                ResNetConfig c = ResNetConfig.of(s);
                ResNetPlan plan = c.plan();
                ObjectNode o = array.addObject();
                o.put("name", s.name());
                o.put("params", plan.params());
                o.put("macs", plan.macs());
                o.put("input_size", c.inputSize());
                o.put("classes", c.classes());
                o.put("family", s.stem().name().toLowerCase(Locale.ROOT));
                o.put("block", s.blockType().name().toLowerCase(Locale.ROOT));
                o.put("depth", s.depth());
                o.put("residual", s.residual());
                o.put("pre_activation", s.preActivation());
                o.put("shortcut", c.shortcutLabel());
                var blocks = o.putArray("blocks");
                s.blocks().forEach(blocks::add);
            }
            out.println(mapper.writeValueAsString(array));
        } else {
            out.printf(Locale.ROOT, "%-18s %-9s %-15s %5s %14s %12s %6s %7s  %s%n",
                    "MODEL", "FAMILY", "BLOCK", "DEPTH", "PARAMS", "MACS", "INPUT", "CLASSES", "SHORTCUT");
            for (ResNetSpec s : ResNetFamily.all()) {
                ResNetConfig c = ResNetConfig.of(s);
                ResNetPlan plan = c.plan();
                out.printf(Locale.ROOT, "%-18s %-9s %-15s %5d %14s %12s %6d %7d  %s%n",
                        s.name(), s.stem().name().toLowerCase(Locale.ROOT),
                        (s.preActivation() ? "pre-" : "") + s.blockType().name().toLowerCase(Locale.ROOT),
                        s.depth(), Format.count(plan.params()), Format.macs(plan.macs()), c.inputSize(), c.classes(),
                        c.shortcutLabel());
            }
            out.println();
            out.println("MACS: multiply-adds of convolutions and classifier for one image at INPUT x INPUT;"
                    + " bottlenecks with the stride on the 1x1 (the paper). 'resnet4j summary MODEL' breaks them down.");
        }
        out.flush();
        return 0;
    }
}
