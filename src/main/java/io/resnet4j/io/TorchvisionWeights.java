package io.resnet4j.io;

import io.resnet4j.model.StridePlacement;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * torchvision's official ImageNet weights for the ResNets, referenced as {@code torchvision:resnet50}
 * (torchvision's DEFAULT weights), {@code torchvision:resnet50.V1} or {@code torchvision:resnet50.V2}.
 *
 * <p>Files are downloaded once into a cache folder and reused. Every file name carries the first
 * hex digits of the file's SHA-256 ({@code resnet50-11ad3fa6.pth}); the download is refused unless
 * the digest starts with them. This is the check torchvision itself makes ({@code
 * torch.hub.load_state_dict_from_url(check_hash=True)}, which torchvision's weight enums use). A
 * cached file is checked again before use, so a file placed by hand is verified too.
 */
public final class TorchvisionWeights {

    /** System property overriding the download location (a test serves files from loopback). */
    public static final String BASE_URL_PROPERTY = "resnet4j.torchvision.baseUrl";
    public static final String DEFAULT_BASE_URL = "https://download.pytorch.org/models/";
    /** Environment variable naming the cache folder. */
    public static final String CACHE_ENV = "RESNET4J_CACHE";
    public static final String PREFIX = "torchvision:";

    private static final Pattern HASH = Pattern.compile("-([a-f0-9]+)\\.");

    /**
     * One official weight file: model, version, file name and torchvision's eval resize.
     *
     * @param resize the shorter side torchvision's ImageClassification transform resizes to (232 for V2)
     */
    public record Entry(String model, String version, String fileName, int resize) {}

    /** From Debian's torchvision 0.14, torchvision/models/resnet.py (ResNetN_Weights). */
    private static final Map<String, Entry> ENTRIES = new LinkedHashMap<>();
    /** torchvision's ResNetN_Weights.DEFAULT. */
    private static final Map<String, String> DEFAULT_VERSION = Map.of(
            "resnet18", "V1", "resnet34", "V1", "resnet50", "V2", "resnet101", "V2", "resnet152", "V2");

    static {
        add("resnet18", "V1", "resnet18-f37072fd.pth", 256);
        add("resnet34", "V1", "resnet34-b627a593.pth", 256);
        add("resnet50", "V1", "resnet50-0676ba61.pth", 256);
        add("resnet50", "V2", "resnet50-11ad3fa6.pth", 232);
        add("resnet101", "V1", "resnet101-63fe2227.pth", 256);
        add("resnet101", "V2", "resnet101-cd907fc2.pth", 232);
        add("resnet152", "V1", "resnet152-394f9c45.pth", 256);
        add("resnet152", "V2", "resnet152-f82ba261.pth", 232);
    }

    private TorchvisionWeights() {}

    private static void add(String model, String version, String file, int resize) {
        ENTRIES.put(model + "." + version, new Entry(model, version, file, resize));
    }

    public static boolean isReference(String weights) {
        return weights != null && weights.startsWith(PREFIX);
    }

    /** All references understood, for messages. */
    public static String known() {
        return String.join(", ", ENTRIES.keySet().stream().map(k -> PREFIX + k).toList());
    }

    /**
     * Parses {@code torchvision:NAME[.V1|.V2|.IMAGENET1K_V1|.IMAGENET1K_V2]}.
     *
     * @throws IllegalArgumentException listing the valid references
     */
    public static Entry parse(String reference) {
        String s = reference.substring(PREFIX.length()).trim().toLowerCase(Locale.ROOT);
        String model = s;
        String version = null;
        int dot = s.indexOf('.');
        if (dot >= 0) {
            model = s.substring(0, dot);
            version = s.substring(dot + 1).toUpperCase(Locale.ROOT).replace("IMAGENET1K_", "");
            if (version.equals("DEFAULT")) {
                version = null;
            }
        }
        if (version == null) {
            version = DEFAULT_VERSION.get(model);
        }
        Entry e = ENTRIES.get(model + "." + version);
        if (e == null) {
            throw new IllegalArgumentException("unknown torchvision weights '" + reference + "': valid are " + known()
                    + " (without a version, torchvision's DEFAULT)");
        }
        return e;
    }

    /** The bottleneck layout of torchvision's ResNets. */
    public static StridePlacement stridePlacement() {
        return StridePlacement.MIDDLE_3X3;
    }

    /** The cache folder: the given one, else $RESNET4J_CACHE, else ~/.cache/resnet4j/weights. */
    public static Path cacheDir(Path override) {
        if (override != null) {
            return override;
        }
        String env = System.getenv(CACHE_ENV);
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "resnet4j", "weights");
    }

    /** Resolves a reference to a verified local file, downloading it if it is not cached yet. */
    public static Path resolve(String reference, Path cacheDir) throws IOException {
        return fetch(parse(reference).fileName(), cacheDir);
    }

    /**
     * Returns {@code cacheDir/fileName}, downloading it from the base URL first when absent. The
     * file name must embed its SHA-256 prefix as torchvision's do ({@code name-<hex>.ext}).
     */
    public static Path fetch(String fileName, Path cacheDir) throws IOException {
        Matcher m = HASH.matcher(fileName);
        if (!m.find()) {
            throw new IllegalArgumentException(fileName + " carries no SHA-256 prefix (name-<hex>.ext)");
        }
        String prefix = m.group(1);
        String base = System.getProperty(BASE_URL_PROPERTY, DEFAULT_BASE_URL);
        String url = base.endsWith("/") ? base + fileName : base + "/" + fileName;
        Path target = cacheDir.resolve(fileName);
        String byHand = "download " + url + " by hand and save it as " + target.toAbsolutePath()
                + " (its SHA-256 must start with " + prefix + ")";
        if (Files.isRegularFile(target)) {
            String digest = sha256(target);
            if (!digest.startsWith(prefix)) {
                throw new WeightsFormatException("the cached file " + target + " has SHA-256 " + digest
                        + ", which does not start with " + prefix + " as its name says (corrupt or replaced); delete"
                        + " it to download again, or " + byHand);
            }
            return target;
        }
        if (Boolean.getBoolean("resnet4j.offline")) {
            throw new IOException(target + " is not in the cache and resnet4j.offline is set: " + byHand);
        }
        Files.createDirectories(cacheDir);
        Path tmp = Files.createTempFile(cacheDir, "." + fileName, ".part");
        try {
            String digest;
            try {
                digest = download(url, tmp);
            } catch (IOException e) {
                throw new IOException("could not download " + url + " (" + describe(e) + "); " + byHand, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("download of " + url + " was interrupted; " + byHand, e);
            }
            if (!digest.startsWith(prefix)) {
                throw new WeightsFormatException("refusing " + url + ": its SHA-256 is " + digest
                        + ", which does not start with " + prefix + " as the file name requires (torchvision"
                        + " makes the same check); nothing was saved to the cache");
            }
            // Atomic rename: a concurrent reader sees either no file or the complete, verified one.
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return target;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static String describe(IOException e) {
        String msg = e.getMessage();
        if (e.getClass() == IOException.class && msg != null) {
            return msg; // our own, e.g. "HTTP 404"
        }
        // ConnectException, UnknownHostException, HttpTimeoutException: the type is the useful part.
        return e.getClass().getSimpleName() + (msg == null ? "" : ": " + msg);
    }

    /** Streams the URL into the file, returning the hex SHA-256 of what was written. */
    private static String download(String url, Path file) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20))
                .followRedirects(HttpClient.Redirect.NORMAL).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(10)).GET().build();
        HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = response.body()) {
            if (response.statusCode() != 200) {
                throw new IOException("HTTP " + response.statusCode());
            }
            MessageDigest sha = sha();
            try (OutputStream out = Files.newOutputStream(file)) {
                byte[] buf = new byte[1 << 16];
                for (int n; (n = in.read(buf)) > 0; ) {
                    sha.update(buf, 0, n);
                    out.write(buf, 0, n);
                }
            }
            return HexFormat.of().formatHex(sha.digest());
        }
    }

    static String sha256(Path file) throws IOException {
        MessageDigest sha = sha();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                sha.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static MessageDigest sha() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }
}
