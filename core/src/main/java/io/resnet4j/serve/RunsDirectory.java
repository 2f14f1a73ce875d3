package io.resnet4j.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The training runs under one folder, as the dashboard sees them: every folder holding a
 * {@code run.json} or {@code metrics.csv} (as {@code resnet4j train} and {@code demo} write
 * them). Files are read while training may be writing them, so reads are bounded, a last line
 * without its newline is left for the next read, and unreadable parts are skipped. Nothing outside
 * the folder is ever read: run ids are checked segment by segment and symbolic links are not
 * followed.
 */
public final class RunsDirectory {

    public static final String RUN_JSON = "run.json";
    public static final String METRICS_CSV = "metrics.csv";
    /** Columns of metrics.csv, in order. */
    public static final List<String> COLUMNS = List.of("iteration", "epoch", "lr", "train_loss", "train_error",
            "val_error", "images_per_s");

    private static final int MAX_DEPTH = 4;
    private static final int MAX_RUNS = 500;
    private static final long MAX_METRICS_BYTES = 16L << 20;
    private static final long MAX_RUN_JSON_BYTES = 1L << 20;
    /** A run whose files have not changed for this long while run.json says "running" has probably died. */
    private static final long STALE_MILLIS = 10 * 60_000L;
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]*");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path root;
    private final Map<Path, Cached> cache = new ConcurrentHashMap<>();

    /** One run as the dashboard's table shows it; absent numbers are null. */
    public record RunSummary(String id, String model, String status, Long iteration, Double bestValError,
            Double lastTrainError, Double imagesPerSecond, long updatedMillis) {}

    /** Rows of metrics.csv from a row number on, and the row number to ask for next. */
    public record Rows(String id, int from, List<Double[]> rows, int next) {}

    private record Cached(long size, long modified, List<Double[]> rows) {}

    public RunsDirectory(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new IOException("runs folder " + root + " does not exist");
        }
        this.root = root.toRealPath();
    }

    public Path root() {
        return root;
    }

    /** Every run under the folder, most recently updated first (at most 500). */
    public List<RunSummary> list() throws IOException {
        List<RunSummary> runs = new ArrayList<>();
        for (Path dir : runFolders()) {
            runs.add(summary(dir));
        }
        runs.sort(Comparator.comparingLong(RunSummary::updatedMillis).reversed());
        return runs;
    }

    /**
     * Rows of a run's metrics.csv starting at row {@code from} (0 = the first data row).
     *
     * @throws ApiException 404 when {@code id} does not name a run folder inside this folder
     */
    public Rows rows(String id, int from) throws IOException {
        Path dir = resolve(id);
        List<Double[]> all = metrics(dir);
        int start = Math.max(0, Math.min(from, all.size()));
        return new Rows(id, start, all.subList(start, all.size()), all.size());
    }

    /** The run folder an id names, refusing anything that could leave the root. */
    Path resolve(String id) throws IOException {
        if (id == null || id.isEmpty() || id.length() > 1000) {
            throw ApiException.notFound("no such run");
        }
        Path dir = root;
        for (String segment : ".".equals(id) ? new String[0] : id.split("/", -1)) {
            if (!SEGMENT.matcher(segment).matches()) {
                throw ApiException.notFound("no such run: run ids are folder names below the runs folder");
            }
            dir = dir.resolve(segment);
        }
        if (!dir.normalize().startsWith(root) || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)
                || !dir.toRealPath().startsWith(root) || !isRunFolder(dir)) {
            throw ApiException.notFound("no such run: " + id);
        }
        return dir;
    }

    private List<Path> runFolders() throws IOException {
        List<Path> found = new ArrayList<>();
        Files.walkFileTree(root, EnumSet.noneOf(java.nio.file.FileVisitOption.class), MAX_DEPTH,
                new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                        if (!dir.equals(root) && dir.getFileName().toString().startsWith(".")) {
                            return FileVisitResult.SKIP_SUBTREE;
                        }
                        if (isRunFolder(dir)) {
                            found.add(dir);
                        }
                        return found.size() >= MAX_RUNS ? FileVisitResult.TERMINATE : FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path file, IOException e) {
                        return FileVisitResult.CONTINUE;
                    }
                });
        return found;
    }

    private static boolean isRunFolder(Path dir) {
        return isPlainFile(dir.resolve(RUN_JSON)) || isPlainFile(dir.resolve(METRICS_CSV));
    }

    private static boolean isPlainFile(Path f) {
        return Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS);
    }

    private RunSummary summary(Path dir) {
        JsonNode run = runJson(dir.resolve(RUN_JSON));
        List<Double[]> rows = metrics(dir);
        Double[] last = rows.isEmpty() ? null : rows.get(rows.size() - 1);
        Double best = null;
        for (Double[] r : rows) {
            if (r[5] != null && (best == null || r[5] < best)) {
                best = r[5];
            }
        }
        long updated = Math.max(modified(dir.resolve(RUN_JSON)), modified(dir.resolve(METRICS_CSV)));
        Long iteration = last != null ? Long.valueOf(last[0].longValue()) : longAt(run, "final", "iteration");
        Double speed = last != null && last[6] != null ? last[6] : doubleAt(run, "timings", "images_per_s");
        String id = root.relativize(dir).toString().replace('\\', '/');
        return new RunSummary(id.isEmpty() ? "." : id, text(run, "model"), status(run, updated), iteration, best,
                last != null ? last[4] : null, speed, updated);
    }

    private static String status(JsonNode run, long updatedMillis) {
        String s = text(run, "status");
        boolean quiet = System.currentTimeMillis() - updatedMillis > STALE_MILLIS;
        if (s == null) {
            return quiet ? "unknown" : "running";
        }
        return "running".equals(s) && quiet ? "stalled" : s;
    }

    private List<Double[]> metrics(Path dir) {
        Path file = dir.resolve(METRICS_CSV);
        if (!isPlainFile(file)) {
            return List.of();
        }
        try {
            long size = Files.size(file);
            long modified = Files.getLastModifiedTime(file, LinkOption.NOFOLLOW_LINKS).toMillis();
            Cached c = cache.get(file);
            if (c == null || c.size() != size || c.modified() != modified) {
                c = new Cached(size, modified, parseRows(readHead(file, MAX_METRICS_BYTES)));
                if (cache.size() > 2 * MAX_RUNS) {
                    cache.clear(); // runs were deleted or renamed: forget them rather than grow
                }
                cache.put(file, c);
            }
            return c.rows();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Data rows of metrics.csv text; the header, a half-written last line and malformed lines are skipped. */
    static List<Double[]> parseRows(String text) {
        List<Double[]> rows = new ArrayList<>();
        int end = text.lastIndexOf('\n');
        if (end < 0) {
            return rows;
        }
        for (String line : text.substring(0, end).split("\n")) {
            Double[] row = parseRow(line.strip());
            if (row != null) {
                rows.add(row);
            }
        }
        return rows;
    }

    private static Double[] parseRow(String line) {
        String[] cells = line.split(",", -1);
        if (cells.length != COLUMNS.size() || line.startsWith("iteration")) {
            return null;
        }
        Double[] row = new Double[cells.length];
        try {
            for (int i = 0; i < cells.length; i++) {
                row[i] = cells[i].isBlank() ? null : Double.valueOf(cells[i]);
            }
        } catch (NumberFormatException e) {
            return null;
        }
        return row[0] == null ? null : row;
    }

    private static JsonNode runJson(Path file) {
        if (!isPlainFile(file)) {
            return null;
        }
        try {
            return JSON.readTree(readHead(file, MAX_RUN_JSON_BYTES));
        } catch (IOException e) {
            return null; // being rewritten, or not ours: the table shows what metrics.csv says
        }
    }

    private static String readHead(Path file, long maxBytes) throws IOException {
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            return new String(in.readNBytes((int) maxBytes), StandardCharsets.UTF_8);
        }
    }

    private static long modified(Path f) {
        try {
            return isPlainFile(f) ? Files.getLastModifiedTime(f, LinkOption.NOFOLLOW_LINKS).toMillis() : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private static String text(JsonNode n, String field) {
        return n != null && n.path(field).isTextual() ? n.get(field).asText() : null;
    }

    private static Long longAt(JsonNode n, String object, String field) {
        JsonNode v = n == null ? null : n.path(object).path(field);
        return v != null && v.isNumber() ? v.asLong() : null;
    }

    private static Double doubleAt(JsonNode n, String object, String field) {
        JsonNode v = n == null ? null : n.path(object).path(field);
        return v != null && v.isNumber() ? v.asDouble() : null;
    }
}
