package io.resnet4j.serve;

import static io.resnet4j.serve.ServeTestData.get;
import static io.resnet4j.serve.ServeTestData.json;
import static io.resnet4j.serve.ServeTestData.post;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.resnet4j.cli.Main;
import io.resnet4j.image.ImageLoader;
import io.resnet4j.inference.ImageClassifier;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every endpoint and every refusal of a server on an ephemeral loopback port, through java.net.http. */
class InferenceServerTest {

    static ImageClassifier classifier;
    static InferenceServer server;
    static String base;

    @BeforeAll
    static void start() throws Exception {
        classifier = ServeTestData.classifier();
        server = InferenceServer.builder().model("cifar", classifier).port(0).maxBodyBytes(2 << 20).start();
        base = server.url();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (classifier != null) {
            classifier.close();
        }
    }

    @Test
    void predictGivesTheNumbersOfPredictJson() throws Exception {
        List<Path> photos = ServeTestData.photos();
        StringWriter out = new StringWriter();
        var cli = Main.newCommandLine();
        cli.setOut(new PrintWriter(out));
        List<String> args = new ArrayList<>(List.of("predict", "--weights", ServeTestData.weights(), "--json"));
        photos.forEach(p -> args.add(p.toString()));
        assertThat(cli.execute(args.toArray(String[]::new))).isZero();
        JsonNode expected = ServeTestData.JSON.readTree(out.toString());
        assertThat(expected).hasSize(photos.size());
        for (int i = 0; i < photos.size(); i++) {
            HttpResponse<String> r = post(base + "v1/models/cifar/predict", "image/png", ServeTestData.photoBytes(i));
            assertThat(r.statusCode()).isEqualTo(200);
            JsonNode body = json(r);
            assertThat(body.get("model").asText()).isEqualTo("cifar");
            assertThat(body.get("predictions")).isEqualTo(expected.get(i).get("top"));
            assertThat(body.get("ms").asDouble()).isPositive();
        }
    }

    @Test
    void multipartAnswersEachFileAsASingleRequestWould() throws Exception {
        byte[] a = ServeTestData.photoBytes(0);
        byte[] b = ServeTestData.photoBytes(1);
        var form = ServeTestData.Multipart.of(List.of("a.png", "b.png"), List.of(a, b));
        HttpResponse<String> r = post(base + "v1/models/cifar/predict?top=3", form.contentType(), form.body());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode results = json(r).get("results");
        assertThat(results).hasSize(2);
        assertThat(results.get(0).get("file").asText()).isEqualTo("a.png");
        assertThat(results.get(1).get("file").asText()).isEqualTo("b.png");
        assertThat(results.get(0).get("predictions")).hasSize(3).isEqualTo(
                json(post(base + "v1/models/cifar/predict?top=3", "image/png", a)).get("predictions"));
        assertThat(results.get(1).get("predictions")).isEqualTo(
                json(post(base + "v1/models/cifar/predict?top=3", "image/png", b)).get("predictions"));
    }

    @Test
    void featuresArePooledFeaturesOfTheImage() throws Exception {
        HttpResponse<String> r = post(base + "v1/models/cifar/features", "image/png", ServeTestData.photoBytes(2));
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = json(r);
        assertThat(body.get("dim").asInt()).isEqualTo(64);
        float[] expected = classifier.features(ImageIO.read(ServeTestData.photos().get(2).toFile()));
        assertThat(body.get("features")).hasSize(64);
        for (int i = 0; i < 64; i++) {
            assertThat(body.get("features").get(i).floatValue()).isEqualTo(expected[i]);
        }
    }

    @Test
    void listsTheModels() throws Exception {
        JsonNode m = json(get(base + "v1/models")).get("models").get(0);
        assertThat(m.get("name").asText()).isEqualTo("cifar");
        assertThat(m.get("architecture").asText()).isEqualTo("resnet20");
        assertThat(m.get("classes").asInt()).isEqualTo(10);
        assertThat(m.get("input").toString()).isEqualTo("[3,32,32]");
    }

    @Test
    void openInferenceProtocolHealthAndMetadata() throws Exception {
        assertThat(get(base + "v2/health/live").statusCode()).isEqualTo(200);
        assertThat(get(base + "v2/health/ready").statusCode()).isEqualTo(200);
        assertThat(get(base + "v2/models/cifar/ready").statusCode()).isEqualTo(200);
        assertThat(json(get(base + "v2")).get("name").asText()).isEqualTo("resnet4j");
        JsonNode meta = json(get(base + "v2/models/cifar"));
        assertThat(meta.get("name").asText()).isEqualTo("cifar");
        assertThat(meta.get("versions").toString()).isEqualTo("[\"1\"]");
        assertThat(meta.get("platform").asText()).isEqualTo("onnxruntime_onnx");
        JsonNode input = meta.get("inputs").get(0);
        assertThat(input.get("name").asText()).isEqualTo("input");
        assertThat(input.get("datatype").asText()).isEqualTo("FP32");
        assertThat(input.get("shape").toString()).isEqualTo("[-1,3,32,32]");
        JsonNode logits = meta.get("outputs").get(0);
        assertThat(logits.get("name").asText()).isEqualTo("logits");
        assertThat(logits.get("shape").toString()).isEqualTo("[-1,10]");
        assertThat(json(get(base + "v2/models/cifar/versions/1")).get("name").asText()).isEqualTo("cifar");
        assertThat(get(base + "v2/models/cifar/versions/2").statusCode()).isEqualTo(404);
        assertThat(get(base + "v2/models/nope").statusCode()).isEqualTo(404);
    }

    @Test
    void openInferenceProtocolInferReturnsTheLogitsOfTheTensor() throws Exception {
        int n = 2;
        float[] input = randomInput(n, 1);
        ObjectNode request = inferRequest(input, n, 3, 32, 32);
        request.put("id", "req-42");
        HttpResponse<String> r = post(base + "v2/models/cifar/infer", "application/json",
                ServeTestData.JSON.writeValueAsBytes(request));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode body = json(r);
        assertThat(body.get("model_name").asText()).isEqualTo("cifar");
        assertThat(body.get("model_version").asText()).isEqualTo("1");
        assertThat(body.get("id").asText()).isEqualTo("req-42");
        JsonNode out = body.get("outputs").get(0);
        assertThat(out.get("name").asText()).isEqualTo("logits");
        assertThat(out.get("datatype").asText()).isEqualTo("FP32");
        assertThat(out.get("shape").toString()).isEqualTo("[2,10]");
        float[] expected = classifier.logits(input, n, 32, 32);
        assertThat(out.get("data")).hasSize(20);
        for (int i = 0; i < expected.length; i++) {
            assertThat(out.get("data").get(i).floatValue()).isEqualTo(expected[i]);
        }
    }

    @Test
    void inferAcceptsNestedDataAndReturnsFeaturesWhenAsked() throws Exception {
        float[] input = randomInput(1, 2);
        ObjectNode request = ServeTestData.JSON.createObjectNode();
        ObjectNode tensor = request.putArray("inputs").addObject().put("name", "input").put("datatype", "FP32");
        tensor.putArray("shape").add(1).add(3).add(32).add(32);
        ArrayNode image = tensor.putArray("data").addArray();
        for (int c = 0; c < 3; c++) {
            ArrayNode channel = image.addArray();
            for (int y = 0; y < 32; y++) {
                ArrayNode row = channel.addArray();
                for (int x = 0; x < 32; x++) {
                    row.add(input[(c * 32 + y) * 32 + x]);
                }
            }
        }
        request.putArray("outputs").addObject().put("name", "features");
        JsonNode body = json(post(base + "v2/models/cifar/versions/1/infer", "application/json",
                ServeTestData.JSON.writeValueAsBytes(request)));
        JsonNode out = body.get("outputs").get(0);
        assertThat(out.get("name").asText()).isEqualTo("features");
        assertThat(out.get("shape").toString()).isEqualTo("[1,64]");
        float[] expected = classifier.features(input, 1, 32, 32).values();
        assertThat(out.get("data").get(5).floatValue()).isEqualTo(expected[5]);
        assertThat(body.has("id")).isFalse();
    }

    @Test
    void inferRefusesMalformedTensorsWithAMessage() throws Exception {
        assertError(post(base + "v2/models/cifar/infer", "application/json", "{not json".getBytes()), 400, "JSON");
        byte[] wrongShape = ServeTestData.JSON.writeValueAsBytes(inferRequest(randomInput(1, 3), 1, 3, 32, 16));
        assertError(post(base + "v2/models/cifar/infer", "application/json", wrongShape), 400, "[N, 3, 32, 32]");
        ObjectNode fp16 = inferRequest(randomInput(1, 3), 1, 3, 32, 32);
        ((ObjectNode) fp16.get("inputs").get(0)).put("datatype", "FP16");
        assertError(post(base + "v2/models/cifar/infer", "application/json",
                ServeTestData.JSON.writeValueAsBytes(fp16)), 400, "FP32");
        ObjectNode shortData = inferRequest(Arrays.copyOf(randomInput(1, 3), 100), 1, 3, 32, 32);
        assertError(post(base + "v2/models/cifar/infer", "application/json",
                ServeTestData.JSON.writeValueAsBytes(shortData)), 400, "3072");
        ObjectNode tooMany = inferRequest(randomInput(17, 3), 17, 3, 32, 32);
        assertError(post(base + "v2/models/cifar/infer", "application/json",
                ServeTestData.JSON.writeValueAsBytes(tooMany)), 400, "N <= 16");
        ObjectNode unknownOutput = inferRequest(randomInput(1, 3), 1, 3, 32, 32);
        unknownOutput.putArray("outputs").addObject().put("name", "probabilities");
        assertError(post(base + "v2/models/cifar/infer", "application/json",
                ServeTestData.JSON.writeValueAsBytes(unknownOutput)), 400, "probabilities");
    }

    @Test
    void refusesBodiesOverTheLimitWith413() throws Exception {
        byte[] big = new byte[(2 << 20) + 1];
        assertError(post(base + "v1/models/cifar/predict", "image/png", big), 413, "limit");
        // Without a declared length the limit still holds: the server stops reading past it.
        HttpRequest chunked = HttpRequest.newBuilder(URI.create(base + "v1/models/cifar/predict"))
                .header("Content-Type", "image/png")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big))).build();
        assertError(ServeTestData.HTTP.send(chunked, HttpResponse.BodyHandlers.ofString()), 413, "limit");
        var form = ServeTestData.Multipart.of(List.of("big.png"), List.of(big));
        assertError(post(base + "v1/models/cifar/predict", form.contentType(), form.body()), 413, "limit");
    }

    @Test
    void refusesADecompressionBombBeforeDecodingIt() throws Exception {
        byte[] bomb = pngHeaderOnly(20_000, 20_000);
        assertError(post(base + "v1/models/cifar/predict", "image/png", bomb), 413, "400,000,000 pixels");
    }

    @Test
    void refusesWhatIsNotAnImage() throws Exception {
        byte[] random = new byte[5000];
        new Random(7).nextBytes(random);
        assertError(post(base + "v1/models/cifar/predict", "application/octet-stream", random), 415, "not a JPEG or PNG");
        assertError(post(base + "v1/models/cifar/predict", "image/jpeg", new byte[0]), 400, "empty");
        assertError(post(base + "v1/models/cifar/predict", "text/plain", ServeTestData.photoBytes(0)), 415,
                "Content-Type text/plain");
        BufferedImage photo = ImageIO.read(ServeTestData.photos().get(0).toFile());
        byte[] jpeg = ServeTestData.jpeg(photo);
        byte[] truncated = Arrays.copyOf(jpeg, jpeg.length / 2);
        assertError(post(base + "v1/models/cifar/predict", "image/jpeg", truncated), 400, "truncated");
        var form = ServeTestData.Multipart.of(List.of("good.png", "bad.png"), List.of(ServeTestData.photoBytes(0),
                random));
        assertError(post(base + "v1/models/cifar/predict", form.contentType(), form.body()), 415, "bad.png");
    }

    @Test
    void refusesBadParametersAndUnknownRoutes() throws Exception {
        assertError(post(base + "v1/models/cifar/predict?top=0", "image/png", ServeTestData.photoBytes(0)), 400, "top");
        assertError(post(base + "v1/models/cifar/predict?top=x", "image/png", ServeTestData.photoBytes(0)), 400, "top");
        assertError(post(base + "v1/models/dog/predict", "image/png", ServeTestData.photoBytes(0)), 404, "cifar");
        assertError(get(base + "no/such/page"), 404, "");
        assertThat(json(post(base + "v1/models/cifar/predict?top=50", "image/png", ServeTestData.photoBytes(0)))
                .get("predictions")).as("top is capped at the number of classes").hasSize(10);
    }

    @Test
    void errorsCarryNoStackTraceNorServerPath() throws Exception {
        for (HttpResponse<String> r : List.of(
                post(base + "v1/models/cifar/predict", "image/jpeg", new byte[] {(byte) 0xff, (byte) 0xd8, 1, 2, 3}),
                post(base + "v2/models/cifar/infer", "application/json", "[1,2".getBytes()),
                get(base + "v1/runs/metrics?run=../../etc"))) {
            assertThat(r.body()).doesNotContain("at io.", "Exception", "/tmp", "/work", System.getProperty("user.dir"));
            assertThat(json(r).has("error")).isTrue();
        }
    }

    @Test
    void servesThePagesAndOnlyTheirAssets() throws Exception {
        HttpResponse<String> page = get(base);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(page.body()).contains("/static/classify.js");
        assertThat(get(base + "static/classify.js").body()).contains("/v1/models/");
        assertThat(get(base + "runs").body()).contains("/static/runs.js");
        assertThat(get(base + "static/index.html").statusCode()).isEqualTo(404);
        assertThat(get(base + "static/..%2F..%2Fpom.xml").statusCode()).isEqualTo(404);
    }

    @Test
    void runsEndpointsAreAbsentWithoutARunsFolder() throws Exception {
        assertThat(get(base + "v1/runs").statusCode()).isEqualTo(404);
    }

    @Test
    void metricsAreInPrometheusTextFormat() throws Exception {
        post(base + "v1/models/cifar/predict", "image/png", ServeTestData.photoBytes(0));
        post(base + "v1/models/cifar/predict", "text/plain", new byte[1]);
        HttpResponse<String> r = get(base + "metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
        assertThat(r.body()).contains(
                "resnet4j_requests_total{endpoint=\"/v1/models/{name}/predict\",status=\"200\"}",
                "resnet4j_requests_total{endpoint=\"/v1/models/{name}/predict\",status=\"415\"}",
                "# TYPE resnet4j_request_latency_seconds histogram",
                "resnet4j_request_latency_seconds_bucket{endpoint=\"/v1/models/{name}/predict\",le=\"0.1\"}",
                "# TYPE resnet4j_batch_size histogram",
                "resnet4j_batch_size_bucket{model=\"cifar\",le=\"16.0\"}",
                "resnet4j_queue_depth{model=\"cifar\"}",
                "resnet4j_images_per_second{model=\"cifar\"}",
                "resnet4j_images_total{model=\"cifar\"}");
    }

    static void assertError(HttpResponse<String> r, int status, String inMessage) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        assertThat(json(r).get("error").asText()).contains(inMessage);
    }

    static float[] randomInput(int n, long seed) {
        Random random = new Random(seed);
        float[] input = new float[n * 3 * 32 * 32];
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) random.nextGaussian();
        }
        return input;
    }

    static ObjectNode inferRequest(float[] data, long... shape) {
        ObjectNode request = ServeTestData.JSON.createObjectNode();
        ObjectNode tensor = request.putArray("inputs").addObject().put("name", "input").put("datatype", "FP32");
        ArrayNode s = tensor.putArray("shape");
        for (long d : shape) {
            s.add(d);
        }
        ArrayNode values = tensor.putArray("data");
        for (float v : data) {
            values.add(v);
        }
        return request;
    }

    /** A valid PNG signature and IHDR declaring a huge greyscale image, with a tiny (invalid) body. */
    static byte[] pngHeaderOnly(int width, int height) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        java.nio.ByteBuffer ihdr = java.nio.ByteBuffer.allocate(13).putInt(width).putInt(height)
                .put((byte) 8).put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0);
        chunk(out, "IHDR", ihdr.array());
        chunk(out, "IDAT", java.util.zip.Deflater.class.getSimpleName().getBytes());
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) throws Exception {
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(type.getBytes());
        crc.update(data);
        out.write(java.nio.ByteBuffer.allocate(4).putInt(data.length).array());
        out.write(type.getBytes());
        out.write(data);
        out.write(java.nio.ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}
