package io.resnet4j.serve;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The web pages: plain HTML, CSS and JavaScript from the classpath, no CDN, so they work offline.
 * Assets are served from a fixed list by name, so no request can reach any other resource.
 */
final class WebAssets {

    private static final String FOLDER = "/io/resnet4j/serve/web/";
    private static final Map<String, String> TYPES = Map.of(
            "style.css", "text/css; charset=utf-8",
            "common.js", "text/javascript; charset=utf-8",
            "classify.js", "text/javascript; charset=utf-8",
            "runs.js", "text/javascript; charset=utf-8",
            "favicon.svg", "image/svg+xml");

    void register(RoutesConfig routes) {
        routes.get("/", ctx -> send(ctx, "index.html", "text/html; charset=utf-8"));
        routes.get("/runs", ctx -> send(ctx, "runs.html", "text/html; charset=utf-8"));
        routes.get("/static/{file}", ctx -> {
            String type = TYPES.get(ctx.pathParam("file"));
            if (type == null) {
                throw ApiException.notFound("no such file");
            }
            send(ctx, ctx.pathParam("file"), type);
        });
    }

    private static void send(Context ctx, String name, String type) {
        ctx.header("Cache-Control", "no-cache").contentType(type).result(read(name));
    }

    private static byte[] read(String name) {
        try (InputStream in = WebAssets.class.getResourceAsStream(FOLDER + name)) {
            if (in == null) {
                throw new IllegalStateException("resource " + FOLDER + name + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Paths anyone may fetch even when the API needs a token: the pages hold no data, and probes need health. */
    static boolean isPublic(String path) {
        return path.equals("/") || path.equals("/runs") || path.startsWith("/static/")
                || path.startsWith("/v2/health/");
    }
}
