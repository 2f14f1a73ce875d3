package io.resnet4j.io;

import io.resnet4j.model.StridePlacement;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
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
 * (torchvision's DEFAULT weights), {@code torchvision:resnet50.V1} or {@code torchvision:resnet50.V2},
 * and its COCO weights for Faster R-CNN on ResNet-50 with FPN, {@code torchvision:fasterrcnn_resnet50_fpn}.
 *
 * <p>Files are downloaded once into a cache folder and reused. Every file name carries the first
 * hex digits of the file's SHA-256 ({@code resnet50-11ad3fa6.pth}); the download is refused unless
 * the digest starts with them. This is the check torchvision itself makes ({@code
 * torch.hub.load_state_dict_from_url(check_hash=True)}, which torchvision's weight enums use). A
 * cached file is checked again before use, so a file placed by hand is verified too. A download
 * that stalls (no byte for a minute) or drags (over an hour) ends with a message; what arrived is
 * kept in {@code .NAME.part} and the next attempt resumes from it.
 */
public final class TorchvisionWeights {

    /** System property overriding the download location (a test serves files from loopback). */
    public static final String BASE_URL_PROPERTY = "resnet4j.torchvision.baseUrl";
    public static final String DEFAULT_BASE_URL = "https://download.pytorch.org/models/";
    /** Environment variable naming the cache folder. */
    public static final String CACHE_ENV = "RESNET4J_CACHE";
    public static final String PREFIX = "torchvision:";
    /** System properties bounding a download (seconds): without a byte, and in all. */
    public static final String READ_TIMEOUT_PROPERTY = "resnet4j.download.readTimeoutSeconds";
    public static final String DEADLINE_PROPERTY = "resnet4j.download.deadlineSeconds";

    private static final Pattern HASH = Pattern.compile("-([a-f0-9]+)\\.");

    /** What a model of the table does. */
    public enum Task { CLASSIFICATION, DETECTION }

    /**
     * One official weight file: model, version, file name, torchvision's eval resize and task.
     *
     * @param resize the shorter side torchvision's ImageClassification transform resizes to (232 for V2; 0 for
     *     detectors, which resize by their own rule)
     */
    public record Entry(String model, String version, String fileName, int resize, Task task) {}

    /**
     * From Debian's torchvision 0.14, torchvision/models/resnet.py (ResNetN_Weights) and
     * detection/faster_rcnn.py (FasterRCNN_ResNet50_FPN_Weights).
     */
    private static final Map<String, Entry> ENTRIES = new LinkedHashMap<>();
    /** torchvision's ResNetN_Weights.DEFAULT and FasterRCNN_ResNet50_FPN_Weights.DEFAULT. */
    private static final Map<String, String> DEFAULT_VERSION = Map.of(
            "resnet18", "V1", "resnet34", "V1", "resnet50", "V2", "resnet101", "V2", "resnet152", "V2",
            "fasterrcnn_resnet50_fpn", "V1");

    static {
        add("resnet18", "V1", "resnet18-f37072fd.pth", 256);
        add("resnet34", "V1", "resnet34-b627a593.pth", 256);
        add("resnet50", "V1", "resnet50-0676ba61.pth", 256);
        add("resnet50", "V2", "resnet50-11ad3fa6.pth", 232);
        add("resnet101", "V1", "resnet101-63fe2227.pth", 256);
        add("resnet101", "V2", "resnet101-cd907fc2.pth", 232);
        add("resnet152", "V1", "resnet152-394f9c45.pth", 256);
        add("resnet152", "V2", "resnet152-f82ba261.pth", 232);
        ENTRIES.put("fasterrcnn_resnet50_fpn.V1", new Entry("fasterrcnn_resnet50_fpn", "V1",
                "fasterrcnn_resnet50_fpn_coco-258fb6c6.pth", 0, Task.DETECTION));
    }

    private TorchvisionWeights() {}

    private static void add(String model, String version, String file, int resize) {
        ENTRIES.put(model + "." + version, new Entry(model, version, file, resize, Task.CLASSIFICATION));
    }

    public static boolean isReference(String weights) {
        return weights != null && weights.startsWith(PREFIX);
    }

    /** All references understood, for messages. */
    public static String known() {
        return String.join(", ", ENTRIES.keySet().stream().map(k -> PREFIX + k).toList());
    }

    /** The references of one task, for messages. */
    public static String known(Task task) {
        return String.join(", ", ENTRIES.entrySet().stream().filter(e -> e.getValue().task() == task)
                .map(e -> PREFIX + e.getKey()).toList());
    }

    /**
     * Parses {@code torchvision:NAME[.V1|.V2|.IMAGENET1K_V1|.IMAGENET1K_V2|.COCO_V1]}.
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
            version = s.substring(dot + 1).toUpperCase(Locale.ROOT).replace("IMAGENET1K_", "").replace("COCO_", "");
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
        Path part = cacheDir.resolve("." + fileName + ".part");
        try (FileChannel ch = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.READ); FileLock lock = lockPart(ch, part, url)) {
            String digest;
            try {
                digest = download(url, part, ch);
            } catch (IOException e) {
                throw new IOException("could not download " + url + " (" + describe(e) + "); " + kept(part, ch)
                        + byHand, e);
            }
            if (!digest.startsWith(prefix)) {
                Files.delete(part);
                throw new WeightsFormatException("refusing " + url + ": its SHA-256 is " + digest
                        + ", which does not start with " + prefix + " as the file name requires (torchvision"
                        + " makes the same check); nothing was saved to the cache");
            }
            // Atomic rename: a concurrent reader sees either no file or the complete, verified one.
            Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return target;
        }
    }

    /** Two processes appending to one part file would corrupt it; the second is told to wait. */
    private static FileLock lockPart(FileChannel ch, Path part, String url) throws IOException {
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            throw new IOException("another download of " + url + " is writing " + part + "; wait for it to finish");
        }
        return lock;
    }

    /** Keeps what arrived for the next attempt to resume from; an empty part file is removed. */
    private static String kept(Path part, FileChannel ch) throws IOException {
        long size = ch.size();
        if (size == 0) {
            Files.deleteIfExists(part);
            return "";
        }
        return "the " + size + " bytes received are kept in " + part + " and the next attempt resumes from there;"
                + " or ";
    }

    private static String describe(IOException e) {
        String msg = e.getMessage();
        if (e.getClass() == IOException.class && msg != null) {
            return msg; // our own, e.g. "HTTP 404"
        }
        // ConnectException, UnknownHostException, SocketTimeoutException: the type is the useful part.
        return e.getClass().getSimpleName() + (msg == null ? "" : ": " + msg);
    }

    /** Seconds without a byte before a download counts as stalled (system property, default 60). */
    static Duration readTimeout() {
        return Duration.ofSeconds(Long.getLong(READ_TIMEOUT_PROPERTY, 60));
    }

    /** The longest a whole download may take (system property, in seconds; default one hour). */
    static Duration deadline() {
        return Duration.ofSeconds(Long.getLong(DEADLINE_PROPERTY, 3600));
    }

    /**
     * Streams the URL into the part file, resuming after the bytes it already holds when the server
     * honours a Range request, and returns the hex SHA-256 of the whole file. A server that sends
     * headers and then nothing fails after {@link #readTimeout()}; one that trickles, at {@link #deadline()}.
     */
    private static String download(String url, Path part, FileChannel ch) throws IOException {
        long deadline = System.nanoTime() + deadline().toNanos();
        long have = ch.size();
        HttpURLConnection http = (HttpURLConnection) URI.create(url).toURL().openConnection();
        http.setConnectTimeout(20_000);
        http.setReadTimeout((int) Math.min(Integer.MAX_VALUE, readTimeout().toMillis()));
        if (have > 0) {
            http.setRequestProperty("Range", "bytes=" + have + "-");
        }
        try {
            int status = http.getResponseCode();
            if (status != 200 && status != 206) {
                throw new IOException("HTTP " + status);
            }
            MessageDigest sha = sha();
            if (status == 206) {
                hashExisting(part, have, sha); // the server sends the rest; the digest covers the whole file
                ch.position(have);
            } else {
                ch.truncate(0).position(0); // no resume: start over
            }
            copy(http.getInputStream(), ch, sha, deadline, url);
            return HexFormat.of().formatHex(sha.digest());
        } catch (java.net.SocketTimeoutException e) {
            throw new java.net.SocketTimeoutException("stalled: no data for " + readTimeout().toSeconds() + " s");
        } finally {
            http.disconnect();
        }
    }

    private static void copy(InputStream body, FileChannel ch, MessageDigest sha, long deadline, String url)
            throws IOException {
        try (InputStream in = body) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                sha.update(buf, 0, n);
                ch.write(java.nio.ByteBuffer.wrap(buf, 0, n));
                if (System.nanoTime() > deadline) {
                    throw new IOException("the download took longer than " + deadline().toSeconds() + " s");
                }
            }
        }
    }

    private static void hashExisting(Path part, long bytes, MessageDigest sha) throws IOException {
        try (InputStream in = Files.newInputStream(part)) {
            byte[] buf = new byte[1 << 16];
            long left = bytes;
            for (int n; left > 0 && (n = in.read(buf, 0, (int) Math.min(buf.length, left))) > 0; left -= n) {
                sha.update(buf, 0, n);
            }
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
