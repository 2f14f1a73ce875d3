package io.resnet4j.detection.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The cases of tools/fixtures/make_detection_training_fixtures.py (torchvision 0.14's training path). */
final class TorchvisionTrainingFixture {

    private static JsonNode doc;

    private TorchvisionTrainingFixture() {}

    static synchronized JsonNode get(String name) {
        if (doc == null) {
            try (InputStream in = TorchvisionTrainingFixture.class.getResourceAsStream("/detection/training.json")) {
                doc = new ObjectMapper().readTree(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return doc.get(name);
    }

    static float[] floats(JsonNode a) {
        float[] out = new float[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) a.get(i).asDouble();
        }
        return out;
    }

    static int[] ints(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asInt();
        }
        return out;
    }
}
