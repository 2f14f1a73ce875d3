package io.resnet4j.examples;

import io.resnet4j.inference.ImageClassifier;
import io.resnet4j.inference.Prediction;
import java.nio.file.Path;

/** Classifies image files with any weights resnet4j reads: {@code ClassifyImages WEIGHTS IMAGE...}. */
public final class ClassifyImages {

    public static void main(String[] args) throws Exception {
        try (ImageClassifier classifier = ImageClassifier.open(args[0])) {
            System.out.println(classifier.config().spec().name() + " on " + classifier.engine().label());
            for (int i = 1; i < args.length; i++) {
                System.out.println(args[i]);
                for (Prediction p : classifier.classify(Path.of(args[i]), 3)) {
                    System.out.printf("  %.3f  %s%n", p.probability(), p.name());
                }
            }
        }
    }
}
