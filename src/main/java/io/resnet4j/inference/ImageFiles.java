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
 * .png (sorted, hidden files skipped), and the names that do not exist.
 *
 * @param files the image files, in order
 * @param missing inputs that are neither a file nor a folder
 */
public record ImageFiles(List<Path> files, List<Path> missing) {

    public static ImageFiles expand(List<Path> inputs) throws IOException {
        List<Path> files = new ArrayList<>();
        List<Path> missing = new ArrayList<>();
        for (Path p : inputs) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> walk = Files.walk(p)) {
                    walk.filter(Files::isRegularFile).filter(ImageFiles::isImageName).sorted().forEach(files::add);
                }
            } else if (Files.exists(p)) {
                files.add(p); // named explicitly: try it whatever its extension
            } else {
                missing.add(p);
            }
        }
        return new ImageFiles(List.copyOf(files), List.copyOf(missing));
    }

    /** Whether a file name looks like an image resnet4j decodes. */
    public static boolean isImageName(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return !n.startsWith(".") && (n.endsWith(".jpg") || n.endsWith(".jpeg") || n.endsWith(".png"));
    }
}
