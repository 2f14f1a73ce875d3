package io.resnet4j.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The 1000 ImageNet-1k class names in class-index order, as torchvision lists them
 * ({@code torchvision.models._meta._IMAGENET_CATEGORIES}), shipped as a resource.
 */
public final class ImageNetClasses {

    private static volatile List<String> names;

    private ImageNetClasses() {}

    public static List<String> names() {
        List<String> n = names;
        if (n == null) {
            try (InputStream in = ImageNetClasses.class.getResourceAsStream("imagenet_classes.txt")) {
                if (in == null) {
                    throw new IllegalStateException("imagenet_classes.txt is missing from the resnet4j jar");
                }
                n = List.copyOf(new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (n.size() != 1000) {
                throw new IllegalStateException("imagenet_classes.txt has " + n.size() + " names instead of 1000");
            }
            names = n;
        }
        return n;
    }
}
