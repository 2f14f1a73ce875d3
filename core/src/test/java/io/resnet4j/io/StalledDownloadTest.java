package io.resnet4j.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server on 127.0.0.1 that sends headers and half the body, then nothing: the download must end
 * within its read timeout, keep what arrived, and resume from there. Every handler waits at most
 * ten seconds, and the server stops after each test.
 */
class StalledDownloadTest {

    HttpServer server;
    ExecutorService handlers;
    final CountDownLatch release = new CountDownLatch(1);
    final List<String> ranges = new CopyOnWriteArrayList<>();
    volatile boolean stall = true;
    volatile long dripMillis;
    byte[] body;
    String name;

    @BeforeEach
    void start(@TempDir Path tmp) throws Exception {
        body = new byte[200_000];
        new java.util.Random(7).nextBytes(body);
        Path probe = Files.write(tmp.resolve("probe"), body);
        name = "model-" + TorchvisionWeights.sha256(probe).substring(0, 8) + ".pth";
        handlers = Executors.newFixedThreadPool(4);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(handlers);
        server.createContext("/models/", this::serve);
        server.start();
        System.setProperty(TorchvisionWeights.BASE_URL_PROPERTY,
                "http://127.0.0.1:" + server.getAddress().getPort() + "/models/");
        System.setProperty(TorchvisionWeights.READ_TIMEOUT_PROPERTY, "1");
    }

    private void serve(HttpExchange exchange) throws IOException {
        String range = exchange.getRequestHeaders().getFirst("Range");
        ranges.add(String.valueOf(range));
        int from = range == null ? 0 : Integer.parseInt(range.replaceAll("\\D", ""));
        exchange.sendResponseHeaders(range == null ? 200 : 206, body.length - from);
        try (OutputStream out = exchange.getResponseBody()) {
            if (dripMillis > 0) {
                for (int i = from; i < body.length; i++) {
                    out.write(body[i]);
                    out.flush();
                    sleep(dripMillis);
                }
            }
            int half = stall ? body.length / 2 : body.length;
            out.write(body, from, Math.max(0, half - from));
            out.flush();
            if (stall) {
                release.await(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException | IOException e) {
            // the client gave up: that is the point
        }
    }

    private void sleep(long millis) throws InterruptedException {
        if (release.await(millis, TimeUnit.MILLISECONDS)) {
            throw new InterruptedException("test over");
        }
    }

    @AfterEach
    void stop() throws Exception {
        release.countDown();
        System.clearProperty(TorchvisionWeights.BASE_URL_PROPERTY);
        System.clearProperty(TorchvisionWeights.READ_TIMEOUT_PROPERTY);
        System.clearProperty(TorchvisionWeights.DEADLINE_PROPERTY);
        server.stop(0);
        handlers.shutdownNow();
        handlers.awaitTermination(10, TimeUnit.SECONDS);
    }

    @Test
    void aStalledDownloadEndsKeepsWhatArrivedAndResumes(@TempDir Path cache) throws Exception {
        Path part = cache.resolve("." + name + ".part");
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThatThrownBy(
                () -> TorchvisionWeights.fetch(name, cache))
                .hasMessageContaining("could not download http://127.0.0.1:")
                .hasMessageContaining("stalled: no data for 1 s")
                .hasMessageContaining("the 100000 bytes received are kept in " + part));
        assertThat(part).hasSize(100_000);
        assertThat(cache.resolve(name)).doesNotExist();

        stall = false;
        Path file = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> TorchvisionWeights.fetch(name, cache));
        assertThat(Files.readAllBytes(file)).isEqualTo(body);
        assertThat(ranges).containsExactly("null", "bytes=100000-");
        assertThat(part).doesNotExist();
    }

    @Test
    void aTricklingDownloadEndsAtTheDeadline(@TempDir Path cache) throws Exception {
        stall = false;
        dripMillis = 50;
        System.setProperty(TorchvisionWeights.DEADLINE_PROPERTY, "1");
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThatThrownBy(
                () -> TorchvisionWeights.fetch(name, cache))
                .hasMessageContaining("the download took longer than 1 s"));
        assertThat(cache.resolve(name)).doesNotExist();
    }
}
