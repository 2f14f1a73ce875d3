package io.resnet4j.detection.model;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import io.resnet4j.io.StateDicts;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The weights of the detection fixtures: every tensor a formula of its state_dict name and element
 * index, computed with integer hashing and float arithmetic that Python (numpy) and Java evaluate bit
 * for bit alike. Mirrors {@code formula()} in tools/fixtures/make_detection_fixtures.py.
 */
public final class FormulaWeights {

    private FormulaWeights() {}

    /** Overwrites every parameter and statistic of the network. */
    public static void fill(FasterRcnn net, NDManager manager) {
        for (Map.Entry<String, Parameter> e : net.stateDict().entrySet()) {
            Shape shape = e.getValue().getArray().getShape();
            StateDicts.copyInto(e.getValue().getArray(), manager.create(values(e.getKey(), shape), shape));
        }
    }

    static float[] values(String name, Shape shape) {
        int n = Math.toIntExact(shape.size());
        int seed = fnv1a(name);
        String leaf = name.substring(name.lastIndexOf('.') + 1);
        float scale = shape.dimension() >= 2 ? (float) (Math.sqrt(3.0 / (shape.size() / shape.get(0))) * gain(name)) : 0;
        boolean norm = name.contains(".bn") || name.contains("downsample.1");
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            float unit = (fmix(seed + i * 0x9E3779B9) >>> 8) * 0x1p-24f;
            float c = 2f * unit - 1f;
            if (leaf.equals("running_var")) {
                out[i] = 0.5f + 0.5f * unit;
            } else if (leaf.equals("running_mean")) {
                out[i] = 0.1f * c;
            } else if (shape.dimension() >= 2) {
                out[i] = scale * c;
            } else if (norm && leaf.equals("weight")) {
                out[i] = 0.5f + 0.25f * c;
            } else {
                out[i] = 0.1f * c;
            }
        }
        return out;
    }

    /** Class logits spread, box deltas tempered, everything else variance 1/fan_in. */
    private static double gain(String name) {
        if (name.contains("cls_logits")) {
            return 3.0;
        }
        if (name.contains("cls_score")) {
            return 10.0;
        }
        return name.contains("bbox_pred") ? 0.5 : 1.0;
    }

    static int fnv1a(String name) {
        int h = 0x811C9DC5;
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xff)) * 0x01000193;
        }
        return h;
    }

    /** MurmurHash3's 32-bit finaliser. */
    static int fmix(int h) {
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        h *= 0xC2B2AE35;
        h ^= h >>> 16;
        return h;
    }
}
