package io.resnet4j.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Downloads from a loopback HTTP server standing in for download.pytorch.org; no other host is contacted. */
class TorchvisionWeightsTest {

    HttpServer server;
    final Map<String, byte[]> served = new ConcurrentHashMap<>();
    final AtomicInteger requests = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/models/", exchange -> {
            requests.incrementAndGet();
            String name = exchange.getRequestURI().getPath().substring("/models/".length());
            byte[] body = served.get(name);
            if (body == null) {
                exchange.sendResponseHeaders(404, -1);
            } else {
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        server.start();
        System.setProperty(TorchvisionWeights.BASE_URL_PROPERTY,
                "http://127.0.0.1:" + server.getAddress().getPort() + "/models/");
    }

    @AfterEach
    void stop() {
        System.clearProperty(TorchvisionWeights.BASE_URL_PROPERTY);
        server.stop(0);
    }

    @Test
    void downloadsVerifiesAndReusesTheCache(@TempDir Path cache) throws Exception {
        byte[] body = Files.readAllBytes(TorchPickleTest.fixture("views.pth"));
        Path tmp = cache.resolveSibling("probe");
        Files.write(tmp, body);
        String name = "views-" + TorchvisionWeights.sha256(tmp).substring(0, 8) + ".pth";
        served.put(name, body);

        Path file = TorchvisionWeights.fetch(name, cache);
        assertThat(file).isEqualTo(cache.resolve(name));
        assertThat(Files.readAllBytes(file)).isEqualTo(body);
        assertThat(requests.get()).isEqualTo(1);
        try (Var files = new Var(cache)) {
            assertThat(files.names()).containsExactly(name); // no temporary file left behind
        }
        assertThat(TorchvisionWeights.fetch(name, cache)).isEqualTo(file);
        assertThat(requests.get()).isEqualTo(1); // reused, not downloaded again
    }

    @Test
    void refusesAFileWhoseHashDoesNotMatchItsName(@TempDir Path cache) throws Exception {
        served.put("resnet18-f37072fd.pth", "not the real weights".getBytes());
        assertThatThrownBy(() -> TorchvisionWeights.resolve("torchvision:resnet18", cache))
                .isInstanceOf(WeightsFormatException.class)
                .hasMessageContaining("refusing http://127.0.0.1:")
                .hasMessageContaining("does not start with f37072fd");
        try (Var files = new Var(cache)) {
            assertThat(files.names()).isEmpty();
        }
        // A corrupt file placed in the cache by hand is refused too.
        Files.writeString(cache.resolve("resnet18-f37072fd.pth"), "junk");
        assertThatThrownBy(() -> TorchvisionWeights.resolve("torchvision:resnet18", cache))
                .hasMessageContaining("the cached file").hasMessageContaining("delete it to download again");
    }

    @Test
    void unreachableServerSaysWhichUrlToFetchAndWhereToPutIt(@TempDir Path cache) throws Exception {
        assertThatThrownBy(() -> TorchvisionWeights.resolve("torchvision:resnet50.V1", cache))
                .hasMessageContaining("could not download http://127.0.0.1:")
                .hasMessageContaining("resnet50-0676ba61.pth (HTTP 404)")
                .hasMessageContaining("save it as " + cache.resolve("resnet50-0676ba61.pth").toAbsolutePath())
                .hasMessageContaining("must start with 0676ba61");
    }

    @Test
    void referencesFollowTorchvisionNamesAndDefaults() {
        assertThat(TorchvisionWeights.parse("torchvision:resnet50").fileName()).isEqualTo("resnet50-11ad3fa6.pth");
        assertThat(TorchvisionWeights.parse("torchvision:resnet50").resize()).isEqualTo(232);
        assertThat(TorchvisionWeights.parse("torchvision:resnet50.V1").fileName()).isEqualTo("resnet50-0676ba61.pth");
        assertThat(TorchvisionWeights.parse("torchvision:resnet152.IMAGENET1K_V2").fileName()).isEqualTo("resnet152-f82ba261.pth");
        assertThat(TorchvisionWeights.parse("torchvision:resnet18").fileName()).isEqualTo("resnet18-f37072fd.pth");
        assertThatThrownBy(() -> TorchvisionWeights.parse("torchvision:resnet18.V2"))
                .hasMessageContaining("unknown torchvision weights").hasMessageContaining("torchvision:resnet34.V1");
    }

    /** The folder's file names (closing the directory stream). */
    record Var(Path dir) implements AutoCloseable {
        java.util.List<String> names() throws java.io.IOException {
            try (var s = Files.list(dir)) {
                return s.map(p -> p.getFileName().toString()).toList();
            }
        }

        @Override
        public void close() {}
    }
}
