package io.resnet4j.inference;

import io.resnet4j.data.DataChoiceException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Image files named by a user: files as given, folders searched recursively for .jpg, .jpeg and
 * .png (sorted, hidden files skipped), and the names that cannot be read as files.
 *
 * @param files the image files, in order
 * @param unusable inputs that are neither a regular file nor a folder with images (missing, a FIFO or
 *     a device, whose read would block, a folder without image files), with the reason
 */
public record ImageFiles(List<Path> files, List<ImageBatches.Failure> unusable) {

    private static final String NO_IMAGES_IN_FOLDER = "a folder with no .jpg, .jpeg or .png files (searched recursively)";

    public static ImageFiles expand(List<Path> inputs) throws IOException {
        List<Path> files = new ArrayList<>();
        List<ImageBatches.Failure> unusable = new ArrayList<>();
        for (Path p : inputs) {
            if (Files.isDirectory(p)) {
                int before = files.size();
                try (Stream<Path> walk = Files.walk(p)) {
                    walk.filter(Files::isRegularFile).filter(ImageFiles::isImageName).sorted().forEach(files::add);
                }
                if (files.size() == before) {
                    unusable.add(new ImageBatches.Failure(p, NO_IMAGES_IN_FOLDER));
                }
            } else if (Files.isRegularFile(p)) {
                files.add(p); // named explicitly: try it whatever its extension
            } else {
                unusable.add(new ImageBatches.Failure(p, Files.exists(p) ? "not a regular file (a FIFO, socket or device)"
                        : "no such file or folder"));
            }
        }
        return new ImageFiles(List.copyOf(files), List.copyOf(unusable));
    }

    /**
     * @throws DataChoiceException when no input names an image file at all, saying why for each
     *     (a run over nothing would print nothing and look like success)
     */
    public ImageFiles requireAny() throws DataChoiceException {
        if (!files.isEmpty()) {
            return this;
        }
        String why = unusable.stream().limit(3).map(f -> f.file() + ": " + f.reason()).collect(Collectors.joining("; "));
        throw new DataChoiceException("no images to read (" + why + (unusable.size() > 3 ? "; ..." : "")
                + "); name image files, or folders that hold some");
    }

    /** Whether a file name looks like an image resnet4j decodes. */
    public static boolean isImageName(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return !n.startsWith(".") && (n.endsWith(".jpg") || n.endsWith(".jpeg") || n.endsWith(".png"));
    }
}
