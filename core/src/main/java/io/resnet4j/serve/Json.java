package io.resnet4j.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.io.IOException;

/** JSON responses: one mapper, one way to write a body and an error. */
final class Json {

    static final ObjectMapper MAPPER = new ObjectMapper();
    static final String CONTENT_TYPE = "application/json";

    private Json() {}

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    static void send(Context ctx, int status, Object body) throws IOException {
        ctx.status(status).contentType(CONTENT_TYPE).result(MAPPER.writeValueAsBytes(body));
    }

    /** Every error, on every endpoint: {@code {"error": "..."}}, as the Open Inference Protocol has it. */
    static void error(Context ctx, int status, String message) throws IOException {
        send(ctx, status, object().put("error", message));
    }

    /** Milliseconds since {@code startNanos}, to 0.01 ms. */
    static double millisSince(long startNanos) {
        return Math.round((System.nanoTime() - startNanos) / 1e4) / 100.0;
    }
}
