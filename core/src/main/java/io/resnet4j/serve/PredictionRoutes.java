package io.resnet4j.serve;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.resnet4j.inference.Prediction;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The image endpoints: {@code POST /v1/models/{name}/predict} and {@code .../features} take the
 * JPEG or PNG bytes as the body, or files as multipart/form-data, and answer with the same ranked
 * classes (or pooled features) that {@code resnet4j predict --json} (or {@code features}) gives.
 */
final class PredictionRoutes {

    static final int DEFAULT_TOP = 5;

    private final Map<String, ServedModel> models;
    private final RequestBodies bodies;
    private final ImageDecoder decoder;
    private final Duration deadline;

    PredictionRoutes(Map<String, ServedModel> models, RequestBodies bodies, ImageDecoder decoder, Duration deadline) {
        this.models = models;
        this.bodies = bodies;
        this.decoder = decoder;
        this.deadline = deadline;
    }

    void register(RoutesConfig routes) {
        routes.get("/v1/models", this::listModels);
        routes.post("/v1/models/{name}/predict", this::predict);
        routes.post("/v1/models/{name}/features", this::features);
    }

    private void listModels(Context ctx) throws IOException {
        ObjectNode out = Json.object();
        ArrayNode list = out.putArray("models");
        for (ServedModel m : models.values()) {
            ObjectNode o = list.addObject().put("name", m.name())
                    .put("architecture", m.classifier().config().spec().name())
                    .put("classes", m.classNames().size()).put("engine", m.classifier().engine().label())
                    .put("max_batch", m.batcher().maxBatch())
                    .put("feature_dim", m.classifier().featureChannels());
            o.putArray("input").add(3).add(m.inputSide()).add(m.inputSide());
        }
        Json.send(ctx, 200, out);
    }

    private void predict(Context ctx) throws IOException {
        long start = System.nanoTime();
        ServedModel model = model(models, ctx.pathParam("name"));
        int top = top(ctx.queryParam("top"), model.classNames().size());
        model.batcher().checkRoom();
        List<RequestBodies.Upload> uploads = bodies.images(ctx);
        List<float[]> logits = run(model, DynamicBatcher.Output.LOGITS, uploads, start);
        ObjectNode out = Json.object().put("model", model.name());
        if (isRawBody(uploads)) {
            out.set("predictions", predictions(logits.get(0), model, top));
        } else {
            ArrayNode results = out.putArray("results");
            for (int i = 0; i < uploads.size(); i++) {
                results.addObject().put("file", uploads.get(i).file())
                        .set("predictions", predictions(logits.get(i), model, top));
            }
        }
        Json.send(ctx, 200, out.put("ms", Json.millisSince(start)));
    }

    private void features(Context ctx) throws IOException {
        long start = System.nanoTime();
        ServedModel model = model(models, ctx.pathParam("name"));
        model.batcher().checkRoom();
        List<RequestBodies.Upload> uploads = bodies.images(ctx);
        List<float[]> features = run(model, DynamicBatcher.Output.FEATURES, uploads, start);
        ObjectNode out = Json.object().put("model", model.name()).put("dim", model.classifier().featureChannels());
        if (isRawBody(uploads)) {
            putFloats(out.putArray("features"), features.get(0));
        } else {
            ArrayNode results = out.putArray("results");
            for (int i = 0; i < uploads.size(); i++) {
                ObjectNode r = results.addObject().put("file", uploads.get(i).file());
                putFloats(r.putArray("features"), features.get(i));
            }
        }
        Json.send(ctx, 200, out.put("ms", Json.millisSince(start)));
    }

    /** Decodes every image first (a bad file fails the request before anything is queued), then queues them all. */
    private List<float[]> run(ServedModel model, DynamicBatcher.Output output, List<RequestBodies.Upload> uploads,
            long startNanos) {
        List<float[]> inputs = new ArrayList<>();
        for (RequestBodies.Upload u : uploads) {
            inputs.add(decode(u, model));
        }
        long deadlineNanos = startNanos + deadline.toNanos();
        List<CompletableFuture<float[]>> pending = new ArrayList<>();
        try {
            for (float[] input : inputs) {
                pending.add(model.submit(output, input, 1));
            }
        } catch (ApiException e) {
            pending.forEach(f -> f.cancel(false));
            throw e;
        }
        List<float[]> rows = new ArrayList<>();
        for (CompletableFuture<float[]> f : pending) {
            rows.add(ServedModel.await(f, deadlineNanos));
        }
        return rows;
    }

    private float[] decode(RequestBodies.Upload upload, ServedModel model) {
        try {
            return decoder.decodeToInput(upload.bytes(), model.classifier()::input);
        } catch (ApiException e) {
            throw upload.file() == null ? e : new ApiException(e.status(), upload.file() + ": " + e.getMessage());
        }
    }

    private static boolean isRawBody(List<RequestBodies.Upload> uploads) {
        return uploads.size() == 1 && uploads.get(0).file() == null;
    }

    /** The same fields and number formatting as {@code resnet4j predict --json}. */
    private static ArrayNode predictions(float[] logits, ServedModel model, int top) {
        ArrayNode list = Json.MAPPER.createArrayNode();
        for (Prediction p : Prediction.topK(logits, 0, model.classNames(), top)) {
            list.addObject().put("index", p.index()).put("name", p.name()).put("probability", p.probability());
        }
        return list;
    }

    private static void putFloats(ArrayNode array, float[] values) {
        for (float v : values) {
            array.add(v);
        }
    }

    static ServedModel model(Map<String, ServedModel> models, String name) {
        ServedModel m = models.get(name);
        if (m == null) {
            throw ApiException.notFound("no model named '" + name + "'; this server has " + models.keySet());
        }
        return m;
    }

    /** {@code ?top=K}: 5 when absent, at most the number of classes. */
    static int top(String param, int classes) {
        if (param == null) {
            return Math.min(DEFAULT_TOP, classes);
        }
        try {
            int k = Integer.parseInt(param.strip());
            if (k >= 1) {
                return Math.min(k, classes);
            }
        } catch (NumberFormatException e) {
            // falls through to the message below
        }
        throw ApiException.badRequest("top must be a whole number of at least 1, got '" + param + "'");
    }
}
