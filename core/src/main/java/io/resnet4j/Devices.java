package io.resnet4j;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.engine.StandardCapabilities;
import java.util.Map;

/**
 * Where libtorch comes from and whether a device can be used, decided before any tensor exists so
 * a missing GPU is one clear message, not libtorch's "Could not run 'aten::empty.memory_format'
 * with arguments from the 'CUDA' backend".
 *
 * <p>resnet4j pins the CPU build of libtorch 2.7.1 as a Maven jar. DJL ships CUDA builds only by
 * download at first use, or uses a libtorch named by {@code PYTORCH_LIBRARY_PATH}; the download is
 * allowed only when the user says so ({@code RESNET4J_ALLOW_DOWNLOAD=1}), so a production box never
 * reaches out on its own.
 */
public final class Devices {

    /** The environment variable that permits DJL's download of a CUDA libtorch. */
    public static final String ALLOW_DOWNLOAD = "RESNET4J_ALLOW_DOWNLOAD";

    private Devices() {}

    /**
     * Which libtorch DJL will load, from the environment and system properties it reads.
     *
     * @return a one-line description
     */
    public static String librarySource(Map<String, String> env, boolean offline) {
        String path = env.get("PYTORCH_LIBRARY_PATH");
        String flavor = env.getOrDefault("PYTORCH_FLAVOR", "cpu");
        String version = env.getOrDefault("PYTORCH_VERSION", Versions.PYTORCH_NATIVE);
        if (path != null && !path.isBlank()) {
            return "libtorch " + version + " (" + flavor + ") from PYTORCH_LIBRARY_PATH=" + path;
        }
        if (!flavor.startsWith("cpu")) {
            return offline ? "the pinned CPU libtorch " + Versions.PYTORCH_NATIVE + " (PYTORCH_FLAVOR=" + flavor
                    + " needs " + ALLOW_DOWNLOAD + "=1 or PYTORCH_LIBRARY_PATH)"
                    : "libtorch " + version + " (" + flavor + "), downloaded by DJL at first use and cached";
        }
        return "the pinned CPU libtorch " + Versions.PYTORCH_NATIVE + " (Maven jar)";
    }

    /**
     * Why a requested device cannot be used, or null when it can.
     *
     * @param cudaBuild whether the loaded libtorch was built with CUDA
     * @param gpus GPUs the CUDA runtime reports
     */
    public static String unavailable(Device requested, boolean cudaBuild, int gpus) {
        if (!requested.isGpu()) {
            return null;
        }
        if (!cudaBuild) {
            return "no CUDA in this libtorch (the CPU build): run with PYTORCH_LIBRARY_PATH naming a CUDA libtorch "
                    + Versions.PYTORCH_NATIVE + ", or " + ALLOW_DOWNLOAD + "=1 PYTORCH_FLAVOR=cu124 to let DJL"
                    + " download one (README: GPU); or use the cpu device";
        }
        if (requested.getDeviceId() >= gpus) {
            return "no GPU " + requested.getDeviceId() + ": the CUDA runtime sees " + gpus + " GPU(s)";
        }
        return null;
    }

    /**
     * The device named (cpu, gpu, gpu:N; null: libtorch's default), checked against the engine.
     *
     * @throws IllegalArgumentException for an unknown name or a device that cannot be used
     */
    public static Device resolve(String name, Engine engine) {
        if (name == null) {
            return engine.defaultDevice();
        }
        Device d;
        try {
            d = Device.fromName(name, engine);
        } catch (IllegalArgumentException e) {
            d = null;
        }
        if (d == null || !(d.isGpu() || Device.Type.CPU.equals(d.getDeviceType()))) {
            throw new IllegalArgumentException("unknown device '" + name + "': use cpu, gpu or gpu:N");
        }
        String why = unavailable(d, engine.hasCapability(StandardCapabilities.CUDA), engine.getGpuCount());
        if (why != null) {
            throw new IllegalArgumentException("device " + name + " is not available: " + why);
        }
        return d;
    }
}
