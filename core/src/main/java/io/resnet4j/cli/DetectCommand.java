package io.resnet4j.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.resnet4j.detection.BoundingBox;
import io.resnet4j.detection.Detection;
import io.resnet4j.detection.DetectionImages;
import io.resnet4j.image.ImageLoader;
import io.resnet4j.image.RgbImage;
import io.resnet4j.inference.ImageBatches;
import io.resnet4j.inference.ImageDetector;
import io.resnet4j.inference.ImageFiles;
import io.resnet4j.io.PrintableText;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code resnet4j detect --weights W IMAGE_OR_FOLDER...}: objects in images, with boxes, names and scores. */
@Command(name = "detect", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, sortOptions = false,
        description = "Detect objects in JPEG/PNG images (files or folders) with a Faster R-CNN: boxes in the image's"
                + " pixels, class names and scores, best first.")
public final class DetectCommand implements Callable<Integer> {

    @Option(names = "--weights", required = true, paramLabel = "WEIGHTS",
            description = "A Faster R-CNN .pth/.safetensors state_dict, or torchvision:fasterrcnn_resnet50_fpn (COCO,"
                    + " downloaded once into the cache).")
    String weights;

    @Option(names = "--score-threshold", paramLabel = "SCORE", defaultValue = "0.05",
            description = "Report detections scoring above S (default: ${DEFAULT-VALUE}).")
    float scoreThreshold;

    @Option(names = "--max-detections", paramLabel = "N", defaultValue = "100",
            description = "Report at most N detections per image (default: ${DEFAULT-VALUE}).")
    int maxDetections;

    @Option(names = "--json", description = "Print a JSON array of {image, detections: [{box: [x1, y1, x2, y2], label,"
            + " name, score}]}.")
    boolean json;

    @Option(names = "--draw", paramLabel = "DIR",
            description = "Write each image with its detections drawn as OUT_DIR/<image name>.png.")
    Path drawDir;

    @Option(names = "--force", description = "Overwrite drawings that already exist in --draw's folder.")
    boolean force;

    @Option(names = "--min-size", paramLabel = "N",
            description = "Resize the shorter side to N before detecting (default: the model's, 800 for torchvision's).")
    Integer minSize;

    @Option(names = "--max-size", paramLabel = "N",
            description = "Cap the longer side at N (default: the model's, 1333 for torchvision's).")
    Integer maxSize;

    @Option(names = "--cache-dir", paramLabel = "DIR",
            description = "Cache for torchvision downloads (default: $RESNET4J_CACHE or ~/.cache/resnet4j/weights).")
    Path cacheDir;

    @Mixin
    PixelLimit pixels;

    @Mixin
    EngineOptions engine;

    @Parameters(arity = "1..*", paramLabel = "IMAGE_OR_FOLDER",
            description = "Image files and folders (searched recursively for .jpg, .jpeg, .png).")
    List<Path> inputs;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        long maxPixels = pixels.value();
        ImageFiles files = ImageFiles.expand(inputs);
        Map<Path, Path> drawings = drawDir == null ? Map.of() : drawings(files.files());
        ImageDetector.Builder builder = ImageDetector.builder(weights).device(engine.apply()).cacheDir(cacheDir)
                .scoreThreshold(scoreThreshold).maxDetections(maxDetections).minSize(minSize).maxSize(maxSize);
        PrintWriter out = spec.commandLine().getOut();
        ImageProgress progress = new ImageProgress(files, spec.commandLine().getErr());
        JsonGenerator array = json ? jsonArray(out) : null;
        try (ImageDetector detector = UsageException.rethrow(builder::open)) {
            int done = 0;
            for (Path file : files.files()) {
                List<String> warnings = new ArrayList<>();
                RgbImage image;
                try {
                    image = ImageLoader.read(file, maxPixels, warnings::add);
                } catch (IOException | RuntimeException | OutOfMemoryError e) {
                    progress.step(warnings, List.of(new ImageBatches.Failure(file, ImageLoader.describe(e))), ++done);
                    continue;
                }
                progress.step(warnings, List.of(), ++done);
                List<Detection> found = detector.detect(image);
                report(file, found, array, out);
                if (drawDir != null) {
                    draw(drawings.get(file), image, found);
                }
            }
        }
        if (array != null) {
            array.writeEndArray();
            array.flush();
            out.println();
        }
        out.flush();
        return progress.exitCode();
    }

    /**
     * Where each image's drawing goes: OUT_DIR/<name without extension>.png, refused before anything
     * runs when two inputs share a name or a drawing exists (without --force) or is an input.
     */
    private Map<Path, Path> drawings(List<Path> files) throws IOException {
        if (Files.exists(drawDir) && !Files.isDirectory(drawDir)) {
            throw new UsageException("--draw " + drawDir + " exists and is not a folder; name a folder for the drawings");
        }
        Map<Path, Path> out = new LinkedHashMap<>();
        Map<Path, Path> byTarget = new HashMap<>();
        for (Path f : files) {
            String name = f.getFileName().toString();
            int dot = name.lastIndexOf('.');
            Path target = drawDir.resolve((dot > 0 ? name.substring(0, dot) : name) + ".png");
            Path other = byTarget.put(target, f);
            if (other != null) {
                throw new UsageException(other + " and " + f + " would both be drawn to " + target + "; draw them in"
                        + " separate runs (or folders)");
            }
            OutputGuard.check(target, force, files.toArray());
            out.put(f, target);
        }
        Files.createDirectories(drawDir);
        return out;
    }

    private static void draw(Path target, RgbImage image, List<Detection> found) throws IOException {
        DetectionImages.writePng(target, image.toBufferedImage(), found);
    }

    private void report(Path image, List<Detection> found, JsonGenerator array, PrintWriter out) throws IOException {
        if (array != null) {
            array.writeStartObject();
            array.writeStringField("image", image.toString());
            array.writeArrayFieldStart("detections");
            for (Detection d : found) {
                BoundingBox b = d.box();
                array.writeStartObject();
                array.writeFieldName("box");
                array.writeArray(new double[] {b.x1(), b.y1(), b.x2(), b.y2()}, 0, 4);
                array.writeNumberField("label", d.label());
                array.writeStringField("name", d.name());
                array.writeNumberField("score", d.score());
                array.writeEndObject();
            }
            array.writeEndArray();
            array.writeEndObject();
            return;
        }
        out.println(PrintableText.of(image + "  (" + found.size() + " detections)"));
        for (Detection d : found) {
            BoundingBox b = d.box();
            out.println(PrintableText.of(String.format(Locale.ROOT, "  %6.4f  %-16s [%.1f, %.1f, %.1f, %.1f]", d.score(),
                    d.name(), b.x1(), b.y1(), b.x2(), b.y2())));
        }
    }

    private static JsonGenerator jsonArray(PrintWriter out) throws IOException {
        JsonGenerator json = new ObjectMapper().getFactory().createGenerator(out)
                .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET).useDefaultPrettyPrinter();
        json.writeStartArray();
        return json;
    }
}
