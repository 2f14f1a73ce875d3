package io.resnet4j.serve;

import static io.resnet4j.serve.ServeTestData.get;
import static io.resnet4j.serve.ServeTestData.json;
import static io.resnet4j.serve.ServeTestData.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.resnet4j.inference.ImageClassifier;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Batching, overload, deadlines, authentication and shutdown. The test holds the classifier's
 * lock to keep the batcher busy exactly as long as it needs to: the eager engine's calls are
 * serialised on it (ONNX Runtime's run concurrently and take no lock).
 */
class ServerBehaviourTest {

    static ImageClassifier classifier;
    /** ONNX Runtime's answers do not depend on the batch they run in (the eager engine's last bits do). */
    static ImageClassifier onnxClassifier;

    @BeforeAll
    static void open() throws Exception {
        classifier = ImageClassifier.builder(ServeTestData.weights()).engine("pytorch").open();
        onnxClassifier = ServeTestData.classifier();
    }

    @AfterAll
    static void close() {
        if (onnxClassifier != null) {
            onnxClassifier.close();
        }
        if (classifier != null) {
            classifier.close();
        }
    }

    @Test
    void concurrentRequestsAreBatchedAndGetExactlyTheSingleRequestAnswers() throws Exception {
        int photos = ServeTestData.photos().size();
        try (InferenceServer server = InferenceServer.builder().model("m", onnxClassifier).port(0).maxBatch(8)
                .maxDelay(Duration.ofMillis(200)).start()) {
            String url = server.url() + "v1/models/m/predict?top=10";
            List<String> alone = new ArrayList<>();
            for (int i = 0; i < photos; i++) {
                alone.add(json(post(url, "image/png", ServeTestData.photoBytes(i))).get("predictions").toString());
            }
            int requests = 24;
            List<CompletableFuture<HttpResponse<String>>> together = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                together.add(ServeTestData.HTTP.sendAsync(HttpRequest.newBuilder(URI.create(url))
                        .header("Content-Type", "image/png")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(ServeTestData.photoBytes(i % photos))).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            for (int i = 0; i < requests; i++) {
                HttpResponse<String> r = together.get(i).get(60, TimeUnit.SECONDS);
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(json(r).get("predictions").toString()).isEqualTo(alone.get(i % photos));
            }
            String metrics = get(server.url() + "metrics").body();
            assertThat(metric(metrics, "resnet4j_batch_size_max{model=\"m\"}")).as("some batch held several images")
                    .isGreaterThan(1);
            assertThat(metric(metrics, "resnet4j_batch_size_sum{model=\"m\"}")).isEqualTo(photos + requests);
        }
    }

    @Test
    void aFullQueueAnswers503WithRetryAfter() throws Exception {
        try (InferenceServer server = InferenceServer.builder().model("m", classifier).port(0).maxBatch(1)
                .maxDelay(Duration.ZERO).queue(1).start()) {
            String url = server.url() + "v1/models/m/predict";
            CompletableFuture<HttpResponse<String>> first;
            CompletableFuture<HttpResponse<String>> queued;
            synchronized (classifier) {
                first = postAsync(url);
                waitForBlockedBatcher("m");
                queued = postAsync(url);
                DynamicBatcherTest.waitUntil(() -> server.models().get("m").batcher().queueDepth() == 1);
                HttpResponse<String> refused = post(url, "image/png", ServeTestData.photoBytes(0));
                InferenceServerTest.assertError(refused, 503, "busy");
                assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
            }
            assertThat(first.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            assertThat(queued.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            assertThat(get(server.url() + "metrics").body())
                    .contains("resnet4j_requests_total{endpoint=\"/v1/models/{name}/predict\",status=\"503\"} 1.0");
        }
    }

    @Test
    void requestsPastTheirDeadlineAnswer503AndThoseStillQueuedAreNotComputed() throws Exception {
        try (InferenceServer server = InferenceServer.builder().model("m", classifier).port(0)
                .deadline(Duration.ofMillis(300)).start()) {
            String url = server.url() + "v1/models/m/predict";
            CompletableFuture<HttpResponse<String>> running;
            HttpResponse<String> queued;
            synchronized (classifier) {
                running = postAsync(url);
                waitForBlockedBatcher("m");
                queued = post(url, "image/png", ServeTestData.photoBytes(0));
            }
            InferenceServerTest.assertError(queued, 503, "deadline");
            assertThat(queued.headers().firstValue("Retry-After")).isPresent();
            InferenceServerTest.assertError(running.get(30, TimeUnit.SECONDS), 503, "deadline");
            Thread.sleep(300);
            assertThat(metric(get(server.url() + "metrics").body(), "resnet4j_images_total{model=\"m\"}"))
                    .as("only the batch that had started ran").isEqualTo(1);
        }
    }

    @Test
    void withATokenTheApiNeedsItAndThePagesAndHealthDoNot() throws Exception {
        String token = "0123456789abcdef-secret";
        try (InferenceServer server = InferenceServer.builder().model("m", classifier).port(0)
                .access(AccessPolicy.bearer(token)).start()) {
            String base = server.url();
            HttpResponse<String> none = get(base + "v1/models");
            InferenceServerTest.assertError(none, 401, "Bearer");
            assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
            assertThat(get(base + "v1/models", "Authorization", "Bearer wrong-token-of-some-length").statusCode())
                    .isEqualTo(401);
            assertThat(get(base + "v1/models", "Authorization", "Bearer " + token).statusCode()).isEqualTo(200);
            assertThat(post(base + "v1/models/m/predict", "image/png", ServeTestData.photoBytes(0)).statusCode())
                    .isEqualTo(401);
            assertThat(post(base + "v1/models/m/predict", "image/png", ServeTestData.photoBytes(0), "Authorization",
                    "Bearer " + token).statusCode()).isEqualTo(200);
            assertThat(get(base + "metrics").statusCode()).isEqualTo(401);
            assertThat(get(base + "v2/models/m").statusCode()).isEqualTo(401);
            assertThat(get(base + "v2/health/live").statusCode()).isEqualTo(200);
            assertThat(get(base + "v2/health/ready").statusCode()).isEqualTo(200);
            assertThat(get(base).statusCode()).isEqualTo(200);
            assertThat(get(base + "static/classify.js").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void theBuilderRefusesAnOpenServerOffLoopbackBeforeBinding() {
        assertThatThrownBy(() -> InferenceServer.builder().model("m", classifier).host("0.0.0.0").port(0).start())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--auth-token-file");
    }

    @Test
    void shutdownRefusesNewRequestsAndFinishesThoseInFlight() throws Exception {
        InferenceServer server = InferenceServer.builder().model("m", classifier).port(0)
                .drain(Duration.ofSeconds(20)).start();
        String base = server.url();
        CompletableFuture<HttpResponse<String>> inFlight;
        Thread closer = new Thread(server::close);
        synchronized (classifier) {
            inFlight = postAsync(base + "v1/models/m/predict");
            waitForBlockedBatcher("m");
            closer.start();
            DynamicBatcherTest.waitUntil(() -> !server.ready());
            DynamicBatcherTest.waitUntil(() -> refusesNewRequests(base));
        }
        HttpResponse<String> finished = inFlight.get(30, TimeUnit.SECONDS);
        assertThat(finished.statusCode()).isEqualTo(200);
        assertThat(json(finished).get("predictions")).hasSize(5);
        closer.join(30_000);
        assertThat(closer.isAlive()).isFalse();
        server.awaitStop();
    }

    @Test
    void aBodySentTooSlowlyIsCutOffWith408() throws Exception {
        try (InferenceServer server = InferenceServer.builder().model("m", classifier).port(0).start();
                java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(20_000);
            var out = socket.getOutputStream();
            out.write(("POST /v1/models/m/predict HTTP/1.1\r\nHost: localhost\r\nContent-Type: image/png\r\n"
                    + "Content-Length: 50000\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            try {
                while (System.nanoTime() < end && socket.getInputStream().available() == 0) {
                    out.write(new byte[16]);
                    out.flush();
                    Thread.sleep(200);
                }
            } catch (java.io.IOException closedByServer) {
                // the server may close before the status line is read
            }
            String response = new String(socket.getInputStream().readAllBytes(),
                    java.nio.charset.StandardCharsets.UTF_8);
            assertThat(response).startsWith("HTTP/1.1 408").contains("{\"error\":\"the request body arrived too slowly\"}");
            assertThat(get(server.url() + "metrics").body())
                    .contains("resnet4j_requests_total{endpoint=\"/v1/models/{name}/predict\",status=\"408\"}");
        }
    }

    private static boolean refusesNewRequests(String base) {
        try {
            HttpClient fresh = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            HttpResponse<String> r = fresh.send(HttpRequest.newBuilder(URI.create(base + "v2/health/live"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 503;
        } catch (java.io.IOException e) {
            return true; // connection refused: the connector no longer accepts
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static CompletableFuture<HttpResponse<String>> postAsync(String url) throws Exception {
        return ServeTestData.HTTP.sendAsync(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "image/png")
                .POST(HttpRequest.BodyPublishers.ofByteArray(ServeTestData.photoBytes(0))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Waits until the model's batcher thread is blocked on the classifier lock the test holds. */
    private static void waitForBlockedBatcher(String model) throws InterruptedException {
        DynamicBatcherTest.waitUntil(() -> Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("batcher-" + model) && t.getState() == Thread.State.BLOCKED));
    }

    static double metric(String text, String series) {
        Matcher m = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE).matcher(text);
        assertThat(m.find()).as(series + " in the metrics").isTrue();
        return Double.parseDouble(m.group(1));
    }

}
