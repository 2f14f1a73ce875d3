package io.resnet4j.serve;

import ai.djl.ndarray.NDManager;
import io.resnet4j.image.ImageNetClasses;
import io.resnet4j.image.Preprocessing;
import io.resnet4j.io.Checkpoint;
import io.resnet4j.model.ResNet;
import io.resnet4j.model.ResNetConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Load and fault tools for {@code resnet4j serve}, run by hand (tools/serve/load.sh), never by the
 * test suite. Loopback only; every loop is bounded in count and time.
 *
 * <pre>
 * ServeLoad weights MODEL FILE                     a random-initialised checkpoint of an ImageNet model
 * ServeLoad jpeg IN OUT [SIDE]                      an image as JPEG, optionally squeezed to SIDE x SIDE
 * ServeLoad faults URL MODEL GOOD.jpg PID [N] [CLIENTS] [MINUTES]
 *     N requests (default 20000) mixing good and bad bodies against a running server, checking
 *     every good answer against the first one and sampling the server's resident memory.
 * </pre>
 */
public final class ServeLoad {

    enum Kind { GOOD, TRUNCATED_JPEG, RANDOM_BYTES, PNG_BOMB, EMPTY, WRONG_TYPE, OVERSIZE, SLOW_CLIENT }

    /** Out of 200 requests. */
    private static final Map<Kind, Integer> MIX = Map.of(Kind.GOOD, 100, Kind.TRUNCATED_JPEG, 18,
            Kind.RANDOM_BYTES, 18, Kind.PNG_BOMB, 16, Kind.EMPTY, 18, Kind.WRONG_TYPE, 18, Kind.OVERSIZE, 10,
            Kind.SLOW_CLIENT, 2);

    public static void main(String[] args) throws Exception {
        if (args.length >= 3 && args[0].equals("weights")) {
            randomWeights(args[1], Path.of(args[2]));
        } else if (args.length >= 3 && args[0].equals("jpeg")) {
            jpeg(Path.of(args[1]), Path.of(args[2]), args.length > 3 ? Integer.parseInt(args[3]) : 0);
        } else if (args.length >= 5 && args[0].equals("faults")) {
            new ServeLoad(args).faults();
        } else {
            System.err.println("usage: ServeLoad weights MODEL FILE | jpeg IN OUT [SIDE] | faults URL MODEL GOOD_IMAGE PID [N] [CLIENTS] [MINUTES]");
            System.exit(2);
        }
    }

    static void randomWeights(String model, Path file) throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            ResNet net = new ResNet(ResNetConfig.of(model)).initialize(m);
            Checkpoint.save(file, net, ImageNetClasses.names(), Preprocessing.imagenet(), null);
        }
        System.out.println("wrote random-initialised " + model + " to " + file);
    }

    static void jpeg(Path in, Path out, int side) throws IOException {
        java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(in.toFile());
        java.awt.image.BufferedImage rgb = new java.awt.image.BufferedImage(side > 0 ? side : img.getWidth(),
                side > 0 ? side : img.getHeight(), java.awt.image.BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = rgb.createGraphics();
        g.setRenderingHint(java.awt.RenderingHints.KEY_INTERPOLATION,
                java.awt.RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(img, 0, 0, rgb.getWidth(), rgb.getHeight(), null);
        g.dispose();
        javax.imageio.ImageIO.write(rgb, "jpg", out.toFile());
    }

    private final URI predict;
    private final URI base;
    private final byte[] good;
    private final long pid;
    private final int requests;
    private final int clients;
    private final long deadlineNanos;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
    private final AtomicInteger unexpected5xx = new AtomicInteger();
    private final AtomicInteger wrongAnswers = new AtomicInteger();
    private final AtomicInteger goodAnswered = new AtomicInteger();
    private final AtomicInteger goodUnanswered = new AtomicInteger();
    private final AtomicLong retries = new AtomicLong();
    private final List<String> rssSamples = new ArrayList<>();
    private byte[] bomb;
    private String expected;

    private ServeLoad(String[] a) throws IOException {
        base = URI.create(a[1].endsWith("/") ? a[1] : a[1] + "/");
        predict = base.resolve("v1/models/" + a[2] + "/predict");
        good = Files.readAllBytes(Path.of(a[3]));
        pid = Long.parseLong(a[4]);
        requests = a.length > 5 ? Integer.parseInt(a[5]) : 20_000;
        clients = a.length > 6 ? Integer.parseInt(a[6]) : 16;
        deadlineNanos = System.nanoTime() + TimeUnit.MINUTES.toNanos(a.length > 7 ? Long.parseLong(a[7]) : 15);
    }

    private void faults() throws Exception {
        bomb = pngBomb(20_000, 20_000);
        expected = predictions(send(Kind.GOOD).body());
        System.out.printf("good image: %,d bytes; expected answer %s%nPNG bomb: 20000x20000, %,d bytes%n", good.length,
                expected, bomb.length);
        Thread sampler = new Thread(this::sampleMemory, "rss-sampler");
        sampler.setDaemon(true);
        sampler.start();
        List<Kind> plan = plan(requests, new Random(14));
        AtomicInteger next = new AtomicInteger();
        long start = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        for (int c = 0; c < clients; c++) {
            pool.execute(() -> {
                for (int i; (i = next.getAndIncrement()) < plan.size() && System.nanoTime() < deadlineNanos;) {
                    run(plan.get(i));
                }
            });
        }
        pool.shutdown();
        pool.awaitTermination(30, TimeUnit.MINUTES);
        double seconds = (System.nanoTime() - start) / 1e9;
        sampleOnce();
        report(Math.min(next.get(), plan.size()), seconds);
    }

    private static List<Kind> plan(int n, Random random) {
        List<Kind> bag = new ArrayList<>();
        MIX.forEach((k, w) -> {
            for (int i = 0; i < w; i++) {
                bag.add(k);
            }
        });
        List<Kind> plan = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            plan.add(bag.get(random.nextInt(bag.size())));
        }
        return plan;
    }

    private void run(Kind kind) {
        try {
            if (kind == Kind.SLOW_CLIENT) {
                count(kind, slowClient());
                return;
            }
            HttpResponse<String> r = send(kind);
            for (int attempt = 1; kind == Kind.GOOD && r.statusCode() == 503 && attempt <= 50; attempt++) {
                // Overload is the one refusal a good request may get; it comes back as Retry-After says (capped).
                count(kind, "503 (retried)");
                retries.incrementAndGet();
                Thread.sleep(Math.min(1000, 20L * attempt));
                r = send(kind);
            }
            count(kind, String.valueOf(r.statusCode()));
            if (r.statusCode() >= 500 && r.statusCode() != 503) {
                unexpected5xx.incrementAndGet();
            }
            if (kind == Kind.GOOD) {
                if (r.statusCode() != 200) {
                    goodUnanswered.incrementAndGet();
                } else if (!expected.equals(predictions(r.body()))) {
                    wrongAnswers.incrementAndGet();
                } else {
                    goodAnswered.incrementAndGet();
                }
            }
        } catch (Exception e) {
            count(kind, "client error: " + e.getClass().getSimpleName());
            if (kind == Kind.GOOD) {
                goodUnanswered.incrementAndGet();
            }
        }
    }

    private HttpResponse<String> send(Kind kind) throws Exception {
        byte[] body = switch (kind) {
            case GOOD, WRONG_TYPE -> good;
            case TRUNCATED_JPEG -> Arrays.copyOf(good, good.length / 2);
            case RANDOM_BYTES -> randomBytes(20_000);
            case PNG_BOMB -> bomb;
            case EMPTY -> new byte[0];
            case OVERSIZE -> new byte[21 << 20];
            case SLOW_CLIENT -> throw new IllegalArgumentException("a slow client has no HttpClient request");
        };
        String type = switch (kind) {
            case WRONG_TYPE -> "text/plain";
            case RANDOM_BYTES -> "application/octet-stream";
            case PNG_BOMB -> "image/png";
            default -> "image/jpeg";
        };
        HttpRequest request = HttpRequest.newBuilder(predict).timeout(Duration.ofSeconds(60))
                .header("Content-Type", type).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Declares a 50 kB body, sends 64 bytes every 500 ms for at most 8 s, and reports how the
     * server ended it (a status line, or the connection closed).
     */
    private String slowClient() throws IOException {
        try (Socket s = new Socket(predict.getHost(), predict.getPort())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST " + predict.getPath() + " HTTP/1.1\r\nHost: " + predict.getHost() + "\r\n"
                    + "Content-Type: image/jpeg\r\nContent-Length: 50000\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            long stop = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
            try {
                while (System.nanoTime() < stop) {
                    out.write(new byte[64]);
                    out.flush();
                    Thread.sleep(500);
                    if (s.getInputStream().available() > 0) {
                        break;
                    }
                }
            } catch (IOException e) {
                return "slow: server closed the connection";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            s.shutdownOutput();
            InputStream in = s.getInputStream();
            byte[] head = in.readNBytes(12);
            String status = new String(head, StandardCharsets.US_ASCII);
            if (status.startsWith("HTTP/1.1 5") && !status.startsWith("HTTP/1.1 503")) {
                unexpected5xx.incrementAndGet();
            }
            return head.length < 12 ? "slow: server closed the connection" : "slow: " + status.substring(9).trim();
        } catch (IOException e) {
            return "slow: server closed the connection";
        }
    }

    private void count(Kind kind, String outcome) {
        outcomes.computeIfAbsent(kind + " -> " + outcome, k -> new AtomicInteger()).incrementAndGet();
    }

    private static String predictions(String body) throws IOException {
        return ServeTestData.JSON.readTree(body).get("predictions").toString();
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new Random().nextBytes(b);
        return b;
    }

    private void sampleMemory() {
        while (true) {
            sampleOnce();
            try {
                Thread.sleep(2000);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private synchronized void sampleOnce() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    rssSamples.add(line.substring(6).trim());
                }
            }
        } catch (IOException e) {
            rssSamples.add("process gone");
        }
    }

    private synchronized void report(int sent, double seconds) throws Exception {
        System.out.printf("%n%,d requests in %.1f s (%.0f/s) by %d clients%n", sent, seconds, sent / seconds, clients);
        new TreeMap<>(toInts(outcomes)).forEach((k, v) -> System.out.printf("  %-45s %,7d%n", k, v));
        System.out.printf("good requests answered correctly: %,d; answered wrongly: %d; unanswered: %d; retries after"
                + " 503: %,d%n", goodAnswered.get(), wrongAnswers.get(), goodUnanswered.get(), retries.get());
        System.out.printf("5xx other than 503: %d%n", unexpected5xx.get());
        HttpResponse<String> live = http.send(HttpRequest.newBuilder(base.resolve("v2/health/live")).build(),
                HttpResponse.BodyHandlers.ofString());
        System.out.println("server alive afterwards: " + (live.statusCode() == 200));
        System.out.println("server VmRSS every 2 s (" + rssSamples.size() + " samples): " + String.join(", ",
                rssSamples));
    }

    private static Map<String, Integer> toInts(Map<String, AtomicInteger> m) {
        Map<String, Integer> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    /** A real PNG of width x height black greyscale pixels: small on the wire, 400 MB once decoded. */
    static byte[] pngBomb(int width, int height) throws IOException {
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
        byte[] row = new byte[width + 1]; // filter byte 0, then black pixels
        byte[] buffer = new byte[1 << 16];
        for (int y = 0; y < height; y++) {
            deflater.setInput(row);
            while (!deflater.needsInput()) {
                idat.write(buffer, 0, deflater.deflate(buffer));
            }
        }
        deflater.finish();
        while (!deflater.finished()) {
            idat.write(buffer, 0, deflater.deflate(buffer));
        }
        deflater.end();
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        png.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        chunk(png, "IHDR", java.nio.ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) 8).put((byte) 0)
                .put((byte) 0).put((byte) 0).put((byte) 0).array());
        chunk(png, "IDAT", idat.toByteArray());
        chunk(png, "IEND", new byte[0]);
        return png.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) throws IOException {
        CRC32 crc = new CRC32();
        crc.update(type.getBytes(StandardCharsets.US_ASCII));
        crc.update(data);
        out.write(java.nio.ByteBuffer.allocate(4).putInt(data.length).array());
        out.write(type.getBytes(StandardCharsets.US_ASCII));
        out.write(data);
        out.write(java.nio.ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}
