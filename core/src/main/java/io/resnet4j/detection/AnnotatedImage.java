package io.resnet4j.detection;

import java.nio.file.Path;
import java.util.List;

/** One image of a detection data set and its ground truth; width and height as annotated. */
public record AnnotatedImage(String id, Path file, int width, int height, List<AnnotatedObject> objects) {

    public AnnotatedImage {
        objects = List.copyOf(objects);
    }
}
