package io.resnet4j.examples;

import io.resnet4j.inference.ImageClassifier;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Embeds images with a network's pooled features and prints how alike each pair is (cosine
 * similarity), the start of image search: {@code ExtractFeatures WEIGHTS IMAGE...}.
 */
public final class ExtractFeatures {

    public static void main(String[] args) throws Exception {
        List<float[]> embeddings = new ArrayList<>();
        try (ImageClassifier classifier = ImageClassifier.open(args[0])) {
            for (int i = 1; i < args.length; i++) {
                BufferedImage image = ImageIO.read(Path.of(args[i]).toFile());
                embeddings.add(classifier.features(image));
            }
            System.out.println(classifier.featureChannels() + " features per image");
        }
        for (int i = 0; i < embeddings.size(); i++) {
            for (int j = i + 1; j < embeddings.size(); j++) {
                System.out.printf("%s ~ %s: %.3f%n", args[i + 1], args[j + 1],
                        cosine(embeddings.get(i), embeddings.get(j)));
            }
        }
    }

    static double cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }
}
