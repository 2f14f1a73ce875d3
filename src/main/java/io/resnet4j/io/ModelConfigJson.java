package io.resnet4j.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.resnet4j.model.BlockType;
import io.resnet4j.model.ResNetConfig;
import io.resnet4j.model.ResNetFamily;
import io.resnet4j.model.ResNetSpec;
import io.resnet4j.model.Shortcut;
import io.resnet4j.model.Stem;
import io.resnet4j.model.StridePlacement;
import java.util.ArrayList;
import java.util.List;

/**
 * A model configuration as JSON fields (model, shortcut, stride_on, classes, input_size,
 * zero_init_last_bn, spec), shared by checkpoint metadata and run.json. The spec is stored too,
 * so custom architectures (and rows of an older table) rebuild exactly.
 */
public final class ModelConfigJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ModelConfigJson() {}

    public static ObjectNode toJson(ResNetConfig c) {
        ObjectNode o = JSON.createObjectNode();
        o.put("model", c.spec().name());
        o.put("shortcut", c.shortcutLabel());
        o.put("stride_on", c.stridePlacement().label());
        o.put("classes", c.classes());
        o.put("input_size", c.inputSize());
        o.put("zero_init_last_bn", c.zeroInitLastGamma());
        o.set("spec", specJson(c.spec()));
        return o;
    }

    /**
     * Rebuilds a configuration; numbers may be JSON numbers or strings (safetensors metadata holds strings).
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static ResNetConfig fromJson(JsonNode o) {
        String name = text(o, "model");
        ResNetSpec spec = ResNetFamily.find(name).orElse(null);
        JsonNode specNode = o.get("spec");
        if (specNode != null && specNode.isTextual()) {
            try {
                specNode = JSON.readTree(specNode.asText());
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalArgumentException("stored spec is not JSON");
            }
        }
        if (specNode != null && specNode.isObject()) {
            ResNetSpec stored = specFromJson(name, specNode);
            // A custom architecture, or a table row changed since: the stored spec is authoritative.
            if (spec == null || !sameArchitecture(spec, stored)) {
                spec = stored;
            }
        }
        if (spec == null) {
            throw new IllegalArgumentException("unknown model '" + name + "' and no stored spec; valid models are "
                    + String.join(", ", ResNetFamily.names()));
        }
        ResNetConfig c = ResNetConfig.of(spec);
        String shortcut = text(o, "shortcut");
        if (!"none".equals(shortcut)) {
            c = c.withShortcut(Shortcut.parse(shortcut));
        }
        if (spec.blockType() == BlockType.BOTTLENECK && o.has("stride_on")) {
            c = c.withStridePlacement(StridePlacement.parse(text(o, "stride_on")));
        }
        c = c.withClasses(Integer.parseInt(text(o, "classes")));
        if (o.has("input_size")) {
            c = c.withInputSize(Integer.parseInt(text(o, "input_size")));
        }
        return c.withZeroInitLastGamma(o.has("zero_init_last_bn") && Boolean.parseBoolean(text(o, "zero_init_last_bn")));
    }

    private static String text(JsonNode o, String field) {
        JsonNode n = o.get(field);
        if (n == null || n.isNull()) {
            throw new IllegalArgumentException("missing field '" + field + "'");
        }
        return n.asText();
    }

    static ObjectNode specJson(ResNetSpec s) {
        ObjectNode o = JSON.createObjectNode();
        o.put("stem", s.stem().name());
        o.put("stem_channels", s.stemChannels());
        o.put("block", s.blockType().name());
        s.blocks().forEach(o.putArray("blocks")::add);
        s.widths().forEach(o.putArray("widths")::add);
        o.put("residual", s.residual());
        o.put("pre_activation", s.preActivation());
        o.put("default_shortcut", s.defaultShortcut().name());
        o.put("default_input_size", s.defaultInputSize());
        o.put("default_classes", s.defaultClasses());
        o.put("description", s.description());
        return o;
    }

    static ResNetSpec specFromJson(String name, JsonNode o) {
        List<Integer> blocks = new ArrayList<>();
        o.get("blocks").forEach(n -> blocks.add(n.asInt()));
        List<Integer> widths = new ArrayList<>();
        o.get("widths").forEach(n -> widths.add(n.asInt()));
        return new ResNetSpec(name, Stem.valueOf(o.get("stem").asText()), o.get("stem_channels").asInt(),
                BlockType.valueOf(o.get("block").asText()), blocks, widths, o.get("residual").asBoolean(),
                o.get("pre_activation").asBoolean(), Shortcut.valueOf(o.get("default_shortcut").asText()),
                o.get("default_input_size").asInt(), o.get("default_classes").asInt(),
                o.path("description").asText("stored architecture"));
    }

    private static boolean sameArchitecture(ResNetSpec a, ResNetSpec b) {
        return a.stem() == b.stem() && a.stemChannels() == b.stemChannels() && a.blockType() == b.blockType()
                && a.blocks().equals(b.blocks()) && a.widths().equals(b.widths()) && a.residual() == b.residual()
                && a.preActivation() == b.preActivation();
    }
}
