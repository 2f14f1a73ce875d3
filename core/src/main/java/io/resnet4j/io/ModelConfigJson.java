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
                throw new IllegalArgumentException("stored spec is not JSON (" + JsonErrors.describe(e) + ")");
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
        c = c.withClasses(integer(o, "classes"));
        if (o.has("input_size")) {
            c = c.withInputSize(integer(o, "input_size"));
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

    /** A whole number stored as a JSON number or a string (safetensors metadata holds only strings). */
    private static int integer(JsonNode o, String field) {
        String t = text(o, field);
        try {
            return Integer.parseInt(t.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("field '" + field + "' is '" + abbreviate(t) + "', not a whole number");
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    private static List<Integer> integers(JsonNode o, String field) {
        JsonNode a = o.get(field);
        if (a == null || !a.isArray()) {
            throw new IllegalArgumentException("stored spec has no '" + field + "' list");
        }
        List<Integer> out = new ArrayList<>();
        for (JsonNode n : a) {
            if (!n.canConvertToInt() || !n.isIntegralNumber()) {
                throw new IllegalArgumentException("stored spec's '" + field + "' holds " + abbreviate(n.toString())
                        + ", not a whole number");
            }
            out.add(n.asInt());
        }
        return out;
    }

    private static <E extends Enum<E>> E constant(Class<E> type, JsonNode o, String field) {
        String t = text(o, field);
        try {
            return Enum.valueOf(type, t);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("stored spec's '" + field + "' is '" + abbreviate(t) + "'; expected one of "
                    + java.util.Arrays.toString(type.getEnumConstants()));
        }
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
        return new ResNetSpec(name, constant(Stem.class, o, "stem"), integer(o, "stem_channels"),
                constant(BlockType.class, o, "block"), integers(o, "blocks"), integers(o, "widths"),
                Boolean.parseBoolean(text(o, "residual")), Boolean.parseBoolean(text(o, "pre_activation")),
                constant(Shortcut.class, o, "default_shortcut"), integer(o, "default_input_size"),
                integer(o, "default_classes"), o.path("description").asText("stored architecture"));
    }

    private static boolean sameArchitecture(ResNetSpec a, ResNetSpec b) {
        return a.stem() == b.stem() && a.stemChannels() == b.stemChannels() && a.blockType() == b.blockType()
                && a.blocks().equals(b.blocks()) && a.widths().equals(b.widths()) && a.residual() == b.residual()
                && a.preActivation() == b.preActivation();
    }
}
