package io.resnet4j.cli;

import ai.djl.Device;
import ai.djl.engine.Engine;
import io.resnet4j.Devices;
import picocli.CommandLine.Option;

/**
 * Threads and device, shared by every command that computes. Threads must be set before the
 * PyTorch engine starts, so commands call {@link #apply()} before touching any NDArray.
 */
public final class EngineOptions {

    @Option(names = "--threads", paramLabel = "N",
            description = "Intra-op threads for libtorch (default: all cores, ${sys:resnet4j.cores}).")
    Integer threads;

    @Option(names = "--device", paramLabel = "DEVICE",
            description = "cpu, gpu or gpu:N (default: gpu when the CUDA build finds one, else cpu).")
    String device;

    static {
        System.setProperty("resnet4j.cores", String.valueOf(Runtime.getRuntime().availableProcessors()));
    }

    /** The thread count in effect. */
    public int threads() {
        return threads == null ? Runtime.getRuntime().availableProcessors() : threads;
    }

    /** Configures the engine (once, before first use) and returns the device to compute on. */
    public Device apply() {
        System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(threads()));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
        Engine engine = Engine.getEngine("PyTorch");
        return UsageException.rethrowUnchecked(() -> Devices.resolve(device, engine));
    }
}
