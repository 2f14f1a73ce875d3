package io.resnet4j.detection;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The 91 labels of torchvision's COCO detection models by index ({@code
 * torchvision.models._meta._COCO_CATEGORIES}): 0 is the background, and the 11 ids COCO left unused
 * are "N/A".
 */
public final class CocoCategories {

    public static final int COUNT = 91;
    private static volatile List<String> names;

    private CocoCategories() {}

    public static List<String> names() {
        List<String> n = names;
        if (n == null) {
            try (InputStream in = CocoCategories.class.getResourceAsStream("coco_categories.txt")) {
                if (in == null) {
                    throw new IllegalStateException("coco_categories.txt is missing from the resnet4j jar");
                }
                n = List.copyOf(new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (n.size() != COUNT) {
                throw new IllegalStateException("coco_categories.txt has " + n.size() + " names instead of " + COUNT);
            }
            names = n;
        }
        return n;
    }
}
