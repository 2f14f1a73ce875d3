package io.resnet4j.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.resnet4j.Versions;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * The Open Inference Protocol v2 (KServe, Triton) over REST, for clients that send tensors: health,
 * server and model metadata, and inference on a preprocessed FP32 tensor {@code input} of shape
 * {@code [N, 3, S, S]} returning {@code logits} ({@code [N, classes]}) and, when asked for,
 * {@code features} ({@code [N, channels]}).
 */
final class OpenInferenceRoutes {

    static final String INPUT = "input";
    static final String LOGITS = "logits";
    static final String FEATURES = "features";
    /** Each model is served in one version; the protocol's URLs may name it. */
    static final String VERSION = "1";

    private final Map<String, ServedModel> models;
    private final RequestBodies bodies;
    private final Duration deadline;
    private final BooleanSupplier ready;

    OpenInferenceRoutes(Map<String, ServedModel> models, RequestBodies bodies, Duration deadline,
            BooleanSupplier ready) {
        this.models = models;
        this.bodies = bodies;
        this.deadline = deadline;
        this.ready = ready;
    }

    void register(RoutesConfig routes) {
        routes.get("/v2", this::serverMetadata);
        routes.get("/v2/health/live", ctx -> Json.send(ctx, 200, Json.object().put("live", true)));
        routes.get("/v2/health/ready", ctx -> Json.send(ctx, ready.getAsBoolean() ? 200 : 503,
                Json.object().put("ready", ready.getAsBoolean())));
        for (String model : List.of("/v2/models/{name}", "/v2/models/{name}/versions/{version}")) {
            routes.get(model, this::modelMetadata);
            routes.get(model + "/ready", this::modelReady);
            routes.post(model + "/infer", this::infer);
        }
    }

    private void serverMetadata(Context ctx) throws IOException {
        ObjectNode out = Json.object().put("name", "resnet4j").put("version", Versions.resnet4j());
        out.putArray("extensions");
        Json.send(ctx, 200, out);
    }

    private void modelReady(Context ctx) throws IOException {
        ServedModel m = model(ctx);
        boolean r = ready.getAsBoolean();
        Json.send(ctx, r ? 200 : 503, Json.object().put("name", m.name()).put("ready", r));
    }

    private void modelMetadata(Context ctx) throws IOException {
        ServedModel m = model(ctx);
        ObjectNode out = Json.object().put("name", m.name());
        out.putArray("versions").add(VERSION);
        out.put("platform", m.platform());
        tensor(out.putArray("inputs"), INPUT, -1, 3, m.inputSide(), m.inputSide());
        ArrayNode outputs = out.putArray("outputs");
        tensor(outputs, LOGITS, -1, m.classNames().size());
        tensor(outputs, FEATURES, -1, m.classifier().featureChannels());
        Json.send(ctx, 200, out);
    }

    private static void tensor(ArrayNode list, String name, long... shape) {
        ObjectNode t = list.addObject().put("name", name).put("datatype", "FP32");
        ArrayNode s = t.putArray("shape");
        for (long d : shape) {
            s.add(d);
        }
    }

    private void infer(Context ctx) throws IOException {
        long start = System.nanoTime();
        ServedModel m = model(ctx);
        m.batcher().checkRoom();
        JsonNode request = parse(bodies.json(ctx));
        float[] input = input(request, m);
        int n = input.length / (3 * m.inputSide() * m.inputSide());
        List<String> wanted = requestedOutputs(request);
        long deadlineNanos = start + deadline.toNanos();
        Map<String, CompletableFuture<float[]>> pending = new LinkedHashMap<>();
        try {
            for (String name : wanted) {
                pending.put(name, m.submit(name.equals(LOGITS) ? DynamicBatcher.Output.LOGITS
                        : DynamicBatcher.Output.FEATURES, input, n));
            }
        } catch (ApiException busy) {
            pending.values().forEach(f -> f.cancel(false));
            throw busy;
        }
        ObjectNode out = Json.object().put("model_name", m.name()).put("model_version", VERSION);
        if (request.hasNonNull("id")) {
            out.put("id", request.get("id").asText());
        }
        ArrayNode outputs = out.putArray("outputs");
        for (var e : pending.entrySet()) {
            float[] rows = ServedModel.await(e.getValue(), deadlineNanos);
            ObjectNode t = outputs.addObject().put("name", e.getKey());
            t.putArray("shape").add(n).add(rows.length / n);
            t.put("datatype", "FP32");
            ArrayNode data = t.putArray("data");
            for (float v : rows) {
                data.add(v);
            }
        }
        Json.send(ctx, 200, out);
    }

    private ServedModel model(Context ctx) {
        ServedModel m = PredictionRoutes.model(models, ctx.pathParam("name"));
        String version = ctx.pathParamMap().get("version");
        if (version != null && !version.equals(VERSION)) {
            throw ApiException.notFound("model '" + m.name() + "' has no version '" + version + "'; it has version "
                    + VERSION);
        }
        return m;
    }

    private static JsonNode parse(byte[] body) {
        try {
            JsonNode n = Json.MAPPER.readTree(body);
            if (n == null || !n.isObject()) {
                throw ApiException.badRequest("the inference request must be a JSON object with \"inputs\"");
            }
            return n;
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("the inference request is not valid JSON");
        } catch (IOException e) {
            throw ApiException.badRequest("the inference request cannot be read");
        }
    }

    /** The single FP32 input tensor, checked against the model's shape. */
    private static float[] input(JsonNode request, ServedModel m) {
        JsonNode inputs = request.path("inputs");
        if (!inputs.isArray() || inputs.size() != 1 || !INPUT.equals(inputs.get(0).path("name").asText())) {
            throw ApiException.badRequest("\"inputs\" must hold exactly one tensor, named \"" + INPUT + "\"");
        }
        JsonNode tensor = inputs.get(0);
        if (!"FP32".equals(tensor.path("datatype").asText())) {
            throw ApiException.badRequest("input datatype must be FP32, got '" + tensor.path("datatype").asText()
                    + "'");
        }
        int n = batchOf(tensor.path("shape"), m);
        int expected = n * 3 * m.inputSide() * m.inputSide();
        float[] data = new float[expected];
        int filled = flatten(tensor.path("data"), data, 0);
        if (filled != expected) {
            throw ApiException.badRequest("input data holds " + filled + " numbers; shape " + tensor.path("shape")
                    + " needs " + expected);
        }
        return data;
    }

    private static int batchOf(JsonNode shape, ServedModel m) {
        int side = m.inputSide();
        String want = "[N, 3, " + side + ", " + side + "] with 1 <= N <= " + m.batcher().maxBatch();
        if (!shape.isArray() || shape.size() != 4 || !shape.get(0).canConvertToInt()) {
            throw ApiException.badRequest("input shape must be " + want + ", got " + shape);
        }
        int n = shape.get(0).asInt();
        if (n < 1 || n > m.batcher().maxBatch() || shape.get(1).asLong() != 3 || shape.get(2).asLong() != side
                || shape.get(3).asLong() != side) {
            throw ApiException.badRequest("input shape must be " + want + ", got " + shape);
        }
        return n;
    }

    /** Copies numbers in row-major order from a flat or nested array; returns how many there were. */
    private static int flatten(JsonNode node, float[] into, int at) {
        if (node.isNumber()) {
            if (at < into.length) {
                into[at] = node.floatValue();
            }
            return at + 1;
        }
        if (!node.isArray()) {
            throw ApiException.badRequest("input data must be an array of numbers (flat or nested)");
        }
        int i = at;
        for (JsonNode child : node) {
            i = flatten(child, into, i);
            if (i > into.length) {
                return i; // already too many: no need to read the rest
            }
        }
        return i;
    }

    private static List<String> requestedOutputs(JsonNode request) {
        JsonNode outputs = request.path("outputs");
        List<String> names = new ArrayList<>();
        if (outputs.isMissingNode() || outputs.isNull()) {
            names.add(LOGITS);
            return names;
        }
        if (!outputs.isArray()) {
            throw ApiException.badRequest("\"outputs\" must be an array of {\"name\": ...}");
        }
        for (JsonNode o : outputs) {
            String name = o.path("name").asText();
            if (!name.equals(LOGITS) && !name.equals(FEATURES)) {
                throw ApiException.badRequest("unknown output '" + name + "': this model has \"" + LOGITS + "\" and \""
                        + FEATURES + "\"");
            }
            if (!names.contains(name)) {
                names.add(name);
            }
        }
        if (names.isEmpty()) {
            names.add(LOGITS);
        }
        return names;
    }
}
