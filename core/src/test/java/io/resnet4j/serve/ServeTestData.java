package io.resnet4j.serve;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.resnet4j.inference.ImageClassifier;
import io.resnet4j.io.SafeTensors;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.imageio.ImageIO;

/** The test weights (a PyTorch-made CIFAR resnet20), real photo crops as PNG files, and HTTP helpers. */
final class ServeTestData {

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private static List<Path> photos;
    private static Path folder;

    private ServeTestData() {}

    static String weights() throws Exception {
        return Path.of(ServeTestData.class.getResource("/weights/resnet20_wrapped.pth").toURI()).toString();
    }

    static ImageClassifier classifier() throws Exception {
        // The same engine and threads as the command line's defaults, so answers can be compared exactly.
        return ImageClassifier.builder(weights()).engine("onnxruntime").threads(Runtime.getRuntime().availableProcessors())
                .open();
    }

    /** The 224x224 photo crops of images_224.safetensors, written once as PNG files. */
    static synchronized List<Path> photos() throws Exception {
        if (photos != null) {
            return photos;
        }
        folder = Files.createTempDirectory("resnet4j-serve-photos");
        Path fixture = Path.of(ServeTestData.class.getResource("/weights/images_224.safetensors").toURI());
        List<Path> files = new ArrayList<>();
        try (NDManager m = NDManager.newBaseManager()) {
            var contents = SafeTensors.read(fixture, m);
            byte[] all = contents.tensors().get("images").toByteArray();
            int n = JSON.readValue(contents.metadata().get("images"), String[].class).length;
            for (int i = 0; i < n; i++) {
                BufferedImage img = new BufferedImage(224, 224, BufferedImage.TYPE_INT_RGB);
                for (int p = 0; p < 224 * 224; p++) {
                    int o = (i * 224 * 224 + p) * 3;
                    img.setRGB(p % 224, p / 224, (all[o] & 0xff) << 16 | (all[o + 1] & 0xff) << 8 | (all[o + 2] & 0xff));
                }
                Path file = folder.resolve("photo" + i + ".png");
                ImageIO.write(img, "png", file.toFile());
                files.add(file);
            }
        }
        photos = List.copyOf(files);
        return photos;
    }

    static byte[] photoBytes(int i) throws Exception {
        return Files.readAllBytes(photos().get(i));
    }

    static byte[] jpeg(BufferedImage img) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "jpg", out);
        return out.toByteArray();
    }

    static HttpResponse<String> get(String url, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60)).GET();
        if (headers.length > 0) {
            b.headers(headers);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(String url, String contentType, byte[] body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        if (headers.length > 0) {
            b.headers(headers);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A multipart/form-data body with one part per file, named "file". */
    record Multipart(String contentType, byte[] body) {
        static Multipart of(List<String> names, List<byte[]> contents) throws IOException {
            String boundary = "resnet4j-" + UUID.randomUUID();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (int i = 0; i < names.size(); i++) {
                out.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\""
                        + names.get(i) + "\"\r\nContent-Type: image/png\r\n\r\n").getBytes());
                out.write(contents.get(i));
                out.write("\r\n".getBytes());
            }
            out.write(("--" + boundary + "--\r\n").getBytes());
            return new Multipart("multipart/form-data; boundary=" + boundary, out.toByteArray());
        }
    }

    static JsonNode json(HttpResponse<String> r) throws IOException {
        return JSON.readTree(r.body());
    }
}
