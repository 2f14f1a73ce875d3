package io.resnet4j.inference;

import ai.djl.Device;
import java.util.Locale;

/**
 * What runs a trained network for inference. ONNX Runtime (our own exported graph, batch norm
 * folded) is the faster CPU path; eager libtorch through DJL is the reference and the GPU path
 * (the ONNX Runtime artifact resnet4j ships is the CPU build).
 */
public enum InferenceEngine {
    ONNXRUNTIME("onnxruntime"),
    PYTORCH("pytorch");

    private final String label;

    InferenceEngine(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** ONNX Runtime on the CPU, eager libtorch elsewhere. */
    public static InferenceEngine auto(Device device) {
        return device.isGpu() ? PYTORCH : ONNXRUNTIME;
    }

    /**
     * {@code auto}, {@code onnxruntime} or {@code pytorch} (null means auto).
     *
     * @throws IllegalArgumentException for an unknown name, or ONNX Runtime on a GPU
     */
    public static InferenceEngine parse(String name, Device device) {
        String n = name == null ? "auto" : name.trim().toLowerCase(Locale.ROOT);
        switch (n) {
            case "auto":
                return auto(device);
            case "onnxruntime":
            case "onnx":
            case "ort":
                if (device.isGpu()) {
                    throw new IllegalArgumentException("engine onnxruntime runs on the CPU only (resnet4j ships ONNX"
                            + " Runtime's CPU build); use engine pytorch on " + device);
                }
                return ONNXRUNTIME;
            case "pytorch":
            case "djl":
                return PYTORCH;
            default:
                throw new IllegalArgumentException("unknown engine '" + name + "': use auto, onnxruntime or pytorch");
        }
    }
}
