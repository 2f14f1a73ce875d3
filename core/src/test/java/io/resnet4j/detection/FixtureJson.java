package io.resnet4j.detection;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/** Numbers of the detection fixtures' JSON (tools/fixtures/make_detection_fixtures.py) as Java arrays. */
public final class FixtureJson {

    private FixtureJson() {}

    /** A number, or nested arrays of numbers, flattened in order. */
    public static float[] floats(JsonNode node) {
        List<Float> out = new ArrayList<>();
        flatten(node, out);
        float[] a = new float[out.size()];
        IntStream.range(0, a.length).forEach(i -> a[i] = out.get(i));
        return a;
    }

    private static void flatten(JsonNode node, List<Float> out) {
        if (node.isArray()) {
            node.forEach(n -> flatten(n, out));
        } else {
            out.add((float) node.asDouble());
        }
    }

    public static int[] ints(JsonNode node) {
        float[] f = floats(node);
        return IntStream.range(0, f.length).map(i -> (int) f[i]).toArray();
    }

    public static long[] longs(JsonNode node) {
        return java.util.Arrays.stream(ints(node)).asLongStream().toArray();
    }
}
