package io.resnet4j.serve;

import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.config.RoutesConfig;
import io.javalin.config.SizeUnit;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.router.Endpoint;
import io.resnet4j.inference.ImageClassifier;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.server.handler.GracefulHandler;

/**
 * An HTTP server for image classifiers: JSON endpoints for images and tensors (the Open Inference
 * Protocol v2), dynamic batching per model, Prometheus metrics at {@code /metrics}, a web page at
 * {@code /} and, given a runs folder, a live training dashboard at {@code /runs}.
 *
 * <pre>{@code
 * try (ImageClassifier resnet = ImageClassifier.open("resnet50.safetensors");
 *         InferenceServer server = InferenceServer.builder().model("resnet50", resnet).port(8080).start()) {
 *     System.out.println("serving at " + server.url());
 *     server.awaitStop();
 * }
 * }</pre>
 *
 * <p>The classifiers stay the caller's: closing the server stops the batchers, not the models.
 */
public final class InferenceServer implements AutoCloseable {

    /** Refused bodies up to this size (or twice the body limit) are read to their end before the error is sent. */
    private static final long DISCARD_LIMIT = 1L << 20;

    private final Javalin app;
    private final Map<String, ServedModel> models;
    private final Duration drain;
    private final String host;
    private volatile boolean ready = true;
    private final Object stopped = new Object();
    private boolean closed;

    private InferenceServer(Builder b, Map<String, ServedModel> models, ServerMetrics metrics, RunsDirectory runs) {
        this.models = models;
        this.drain = b.drain;
        this.host = b.host;
        RequestBodies bodies = new RequestBodies(b.maxBodyBytes);
        ImageDecoder decoder = new ImageDecoder(b.maxPixels);
        List<Consumer<RoutesConfig>> routeSets = new ArrayList<>();
        routeSets.add(new WebAssets()::register);
        routeSets.add(new PredictionRoutes(models, bodies, decoder, b.deadline)::register);
        routeSets.add(new OpenInferenceRoutes(models, bodies, b.deadline, () -> ready)::register);
        if (runs != null) {
            routeSets.add(new RunsRoutes(runs)::register);
        }
        routeSets.add(r -> r.get("/metrics", ctx -> ctx.contentType(ServerMetrics.CONTENT_TYPE).result(metrics.scrape())));
        this.app = Javalin.create(config -> configure(config, b, routeSets, metrics));
    }

    public static Builder builder() {
        return new Builder();
    }

    private void configure(JavalinConfig config, Builder b, List<Consumer<RoutesConfig>> routeSets,
            ServerMetrics metrics) {
        config.startup.showJavalinBanner = false;
        config.startup.startupWatcherEnabled = false;
        config.startup.showOldJavalinVersionWarning = false;
        config.http.maxRequestSize = b.maxBodyBytes;
        config.jetty.host = b.host;
        config.jetty.port = b.port;
        config.jetty.multipartConfig.maxTotalRequestSize(b.maxBodyBytes, SizeUnit.BYTES);
        config.jetty.multipartConfig.maxFileSize(b.maxBodyBytes, SizeUnit.BYTES);
        config.jetty.modifyServer(server -> {
            // Stopping first refuses new requests and lets those in flight finish, up to the drain time.
            server.insertHandler(new GracefulHandler());
            server.setStopTimeout(b.drain.toMillis());
        });
        config.jetty.modifyHttpConfiguration(http -> {
            // A client that stops sending its body (a slow-loris upload) gives its thread back.
            http.setMinRequestDataRate(b.minRequestBytesPerSecond);
            http.setSendServerVersion(false);
        });
        RoutesConfig routes = config.routes;
        routes.before(ctx -> {
            ctx.attribute("startNanos", System.nanoTime());
            if (!WebAssets.isPublic(ctx.path()) && !b.access.allows(ctx.header("Authorization"))) {
                ctx.header("WWW-Authenticate", "Bearer");
                throw new ApiException(401, "this server needs 'Authorization: Bearer TOKEN'");
            }
        });
        routes.after(ctx -> record(ctx, metrics));
        routes.exception(ApiException.class, (e, ctx) -> {
            discardBody(ctx, Math.max(DISCARD_LIMIT, 2 * b.maxBodyBytes));
            if (e.retryAfterSeconds() > 0) {
                ctx.header("Retry-After", String.valueOf(e.retryAfterSeconds()));
            }
            writeError(ctx, e.status(), e.getMessage());
        });
        routes.exception(HttpResponseException.class, (e, ctx) -> writeError(ctx, e.getStatus(), e.getMessage()));
        routes.exception(Exception.class, (e, ctx) -> {
            int clientStatus = clientFault(e);
            if (clientStatus > 0) {
                writeError(ctx, clientStatus, clientStatus == 408 ? "the request body arrived too slowly"
                        : "the request could not be read");
                return;
            }
            b.log.accept("resnet4j serve: " + ctx.method() + " " + ctx.path() + " failed: " + describe(e));
            writeError(ctx, 500, "internal error while handling the request");
        });
        routeSets.forEach(r -> r.accept(routes));
    }

    /**
     * Reads the rest of a refused body, up to {@code budget} bytes, so the client, still sending,
     * sees the answer: closing a connection with unread data resets it, and the client would get
     * a broken pipe instead of the 413 or 415. Bodies declared larger than the budget are not worth
     * reading; a client sending too slowly is cut off by the data-rate limit.
     */
    private static void discardBody(Context ctx, long budget) {
        long declared = ctx.req().getContentLengthLong();
        if (declared > budget) {
            return;
        }
        try {
            java.io.InputStream in = ctx.req().getInputStream();
            byte[] buffer = new byte[64 << 10];
            for (long read = 0; read < budget;) {
                int n = in.read(buffer);
                if (n < 0) {
                    return;
                }
                read += n;
            }
        } catch (java.io.IOException | RuntimeException e) {
            // already read, or the client went away: nothing to keep open
        }
    }

    private static void writeError(Context ctx, int status, String message) {
        try {
            Json.error(ctx, status, message);
        } catch (IOException e) {
            ctx.status(status);
        }
    }

    private static void record(Context ctx, ServerMetrics metrics) {
        Long start = ctx.attribute("startNanos");
        Endpoint endpoint = ctx.endpoints().lastHttpEndpoint();
        String route = endpoint == null ? "unmatched" : endpoint.path;
        metrics.request(route, ctx.statusCode(), start == null ? 0 : System.nanoTime() - start);
    }

    /**
     * The 4xx status of a failure that is the client's doing (a body sent too slowly, a connection
     * dropped mid-body, a malformed request Jetty refused), or 0 for a server fault.
     */
    static int clientFault(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof HttpException http && http.getCode() >= 400 && http.getCode() < 500) {
                return http.getCode();
            }
            if (t instanceof java.io.EOFException) {
                return 400; // the client closed the connection before its body ended
            }
        }
        return 0;
    }

    private static String describe(Throwable e) {
        Throwable root = e.getCause() != null && e instanceof ServedModel.InferenceFailure ? e.getCause() : e;
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }

    private InferenceServer start() {
        app.start();
        return this;
    }

    /** The port the server listens on (the chosen one when built with port 0). */
    public int port() {
        return app.port();
    }

    /** The base URL, e.g. {@code http://127.0.0.1:8080/}. */
    public String url() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        return "http://" + h + ":" + port() + "/";
    }

    /** The served models by name, in the order they were added. */
    public Map<String, ServedModel> models() {
        return models;
    }

    /** Whether the server takes requests (false once shutting down). */
    public boolean ready() {
        return ready;
    }

    /** Blocks until {@link #close()} has finished (from another thread, e.g. a signal handler). */
    public void awaitStop() throws InterruptedException {
        synchronized (stopped) {
            while (!closed) {
                stopped.wait();
            }
        }
    }

    /**
     * Graceful shutdown: stops accepting connections, lets requests in flight finish (up to the
     * drain time), then stops the batchers.
     */
    @Override
    public void close() {
        synchronized (stopped) {
            if (closed) {
                return;
            }
            ready = false;
            try {
                app.stop();
            } finally {
                models.values().forEach(m -> m.batcher().close(drain));
                closed = true;
                stopped.notifyAll();
            }
        }
    }

    /** Everything {@link #start()} needs; every limit has a safe default. */
    public static final class Builder {
        private final Map<String, ImageClassifier> classifiers = new LinkedHashMap<>();
        private String host = "127.0.0.1";
        private int port = 8080;
        private int maxBatch = 16;
        private Duration maxDelay = Duration.ofMillis(5);
        private int queue = 256;
        private long maxBodyBytes = 20L << 20;
        private long maxPixels = ImageDecoder.DEFAULT_MAX_PIXELS;
        private Duration deadline = Duration.ofSeconds(30);
        private Duration drain = Duration.ofSeconds(30);
        private long minRequestBytesPerSecond = 1024;
        private AccessPolicy access = AccessPolicy.open();
        private boolean insecure;
        private Path runs;
        private Consumer<String> log = System.err::println;

        private Builder() {}

        /** Serves a classifier under a name (letters, digits, '.', '-', '_'; unique). */
        public Builder model(String name, ImageClassifier classifier) {
            ServedModel.checkName(name);
            if (classifiers.containsKey(name)) {
                throw new IllegalArgumentException("two models are named '" + name + "': give each a unique name");
            }
            classifiers.put(name, Objects.requireNonNull(classifier, "classifier"));
            return this;
        }

        /** Address to bind (default 127.0.0.1); any other than loopback needs {@link #access} or {@link #insecure}. */
        public Builder host(String h) {
            this.host = Objects.requireNonNull(h, "host (use 0.0.0.0 for every interface)");
            return this;
        }

        /** Port (default 8080; 0 picks a free one, see {@link InferenceServer#port()}). */
        public Builder port(int p) {
            this.port = atLeast("port", p, 0);
            return this;
        }

        /** Most images in one forward pass (default 16). */
        public Builder maxBatch(int n) {
            this.maxBatch = atLeast("maxBatch", n, 1);
            return this;
        }

        /** Longest a request waits for others to share its batch (default 5 ms). */
        public Builder maxDelay(Duration d) {
            this.maxDelay = nonNegative("maxDelay", d);
            return this;
        }

        /** Requests that may wait per model before new ones get 503 (default 256). */
        public Builder queue(int n) {
            this.queue = atLeast("queue", n, 1);
            return this;
        }

        /** Largest request body (default 20 MiB); larger ones get 413. */
        public Builder maxBodyBytes(long n) {
            this.maxBodyBytes = atLeast("maxBodyBytes", n, 1);
            return this;
        }

        /** Largest image in pixels (default 89,478,485, PIL's); larger ones get 413 before decoding. */
        public Builder maxPixels(long n) {
            this.maxPixels = atLeast("maxPixels", n, 1);
            return this;
        }

        /** Longest a request may take once its body has arrived (default 30 s); later ones get 503. */
        public Builder deadline(Duration d) {
            this.deadline = nonNegative("deadline", d);
            return this;
        }

        /** Longest shutdown waits for requests in flight (default 30 s). */
        public Builder drain(Duration d) {
            this.drain = nonNegative("drain", d);
            return this;
        }

        /** Slowest upload tolerated, in bytes per second (default 1024). */
        public Builder minRequestBytesPerSecond(long n) {
            this.minRequestBytesPerSecond = atLeast("minRequestBytesPerSecond", n, 0);
            return this;
        }

        /** Who may call the API (default: anyone, which only loopback binding allows). */
        public Builder access(AccessPolicy policy) {
            this.access = Objects.requireNonNull(policy, "access policy");
            return this;
        }

        /** Allows an unauthenticated server on a non-loopback address. */
        public Builder insecure(boolean yes) {
            this.insecure = yes;
            return this;
        }

        /** A folder of training runs for the dashboard at /runs (default: none). */
        public Builder runs(Path folder) {
            this.runs = folder;
            return this;
        }

        /** Where server-side failures are logged (default: standard error). */
        public Builder log(Consumer<String> sink) {
            this.log = Objects.requireNonNull(sink, "log");
            return this;
        }

        /**
         * Binds and starts serving.
         *
         * @throws IllegalArgumentException for no models or an unsafe binding
         * @throws IOException when the runs folder cannot be read
         */
        public InferenceServer start() throws IOException {
            if (classifiers.isEmpty()) {
                throw new IllegalArgumentException("no model to serve: add one with model(name, classifier)");
            }
            AccessPolicy.checkBinding(host, access, insecure);
            RunsDirectory runsDirectory = runs == null ? null : new RunsDirectory(runs);
            ServerMetrics metrics = new ServerMetrics();
            Map<String, ServedModel> models = new LinkedHashMap<>();
            for (var e : classifiers.entrySet()) {
                models.put(e.getKey(), served(e.getKey(), e.getValue(), metrics));
            }
            InferenceServer server = new InferenceServer(this, Collections.unmodifiableMap(models), metrics,
                    runsDirectory);
            try {
                return server.start();
            } catch (RuntimeException e) {
                models.values().forEach(m -> m.batcher().close(Duration.ZERO));
                throw e;
            }
        }

        private ServedModel served(String name, ImageClassifier classifier, ServerMetrics metrics) {
            int fixed = classifier.fixedBatch();
            int batch = fixed > 0 ? Math.min(maxBatch, fixed) : maxBatch;
            DynamicBatcher[] batcher = new DynamicBatcher[1];
            DynamicBatcher.BatchListener listener = metrics.model(name, () -> batcher[0] == null ? 0
                    : batcher[0].queueDepth());
            batcher[0] = new DynamicBatcher(name, (output, input, n, h, w) -> output == DynamicBatcher.Output.LOGITS
                    ? classifier.logits(input, n, h, w) : classifier.features(input, n, h, w).values(),
                    batch, maxDelay, queue, listener);
            return new ServedModel(name, classifier, batcher[0]);
        }

        private static int atLeast(String what, int v, int min) {
            if (v < min) {
                throw new IllegalArgumentException(what + " must be at least " + min + ", got " + v);
            }
            return v;
        }

        private static long atLeast(String what, long v, long min) {
            if (v < min) {
                throw new IllegalArgumentException(what + " must be at least " + min + ", got " + v);
            }
            return v;
        }

        private static Duration nonNegative(String what, Duration d) {
            if (d == null || d.isNegative()) {
                throw new IllegalArgumentException(what + " must be zero or more, got " + d);
            }
            return d;
        }
    }
}
