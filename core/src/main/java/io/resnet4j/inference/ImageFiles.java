package io.resnet4j.inference;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Image files named by a user: files as given, folders searched recursively for .jpg, .jpeg and
 * .png (sorted, hidden files skipped), and the names that cannot be read as files.
 *
 * @param files the image files, in order
 * @param unusable inputs that are neither a regular file nor a folder (missing, a FIFO or a device,
 *     whose read would block), with the reason
 */
public record ImageFiles(List<Path> files, List<ImageBatches.Failure> unusable) {

    public static ImageFiles expand(List<Path> inputs) throws IOException {
        List<Path> files = new ArrayList<>();
        List<ImageBatches.Failure> unusable = new ArrayList<>();
        for (Path p : inputs) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> walk = Files.walk(p)) {
                    walk.filter(Files::isRegularFile).filter(ImageFiles::isImageName).sorted().forEach(files::add);
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

    /** Whether a file name looks like an image resnet4j decodes. */
    public static boolean isImageName(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return !n.startsWith(".") && (n.endsWith(".jpg") || n.endsWith(".jpeg") || n.endsWith(".png"));
    }
}
