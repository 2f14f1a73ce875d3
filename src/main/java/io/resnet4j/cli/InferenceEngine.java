package io.resnet4j.cli;

import ai.djl.Device;
import java.util.Locale;

/**
 * What runs a trained network for inference. ONNX Runtime (our own exported graph, batch norm
 * folded) is the faster CPU path; eager libtorch through DJL is the reference and the GPU path
 * (the ONNX Runtime artifact resnet4j ships is the CPU build).
 */
enum InferenceEngine {
    ONNXRUNTIME("onnxruntime"),
    PYTORCH("pytorch");

    private final String label;

    InferenceEngine(String label) {
        this.label = label;
    }

    String label() {
        return label;
    }

    /** {@code auto} picks ONNX Runtime on the CPU and eager PyTorch elsewhere. */
    static InferenceEngine parse(String name, Device device) {
        String n = name == null ? "auto" : name.trim().toLowerCase(Locale.ROOT);
        switch (n) {
            case "auto":
                return device.isGpu() ? PYTORCH : ONNXRUNTIME;
            case "onnxruntime":
            case "onnx":
            case "ort":
                if (device.isGpu()) {
                    throw new UsageException("--engine onnxruntime runs on the CPU only (resnet4j ships ONNX Runtime's"
                            + " CPU build); use --engine pytorch on " + device);
                }
                return ONNXRUNTIME;
            case "pytorch":
            case "djl":
                return PYTORCH;
            default:
                throw new UsageException("unknown --engine '" + name + "': use auto, onnxruntime or pytorch");
        }
    }
}
