package io.resnet4j.spark;

/** DJL settings a Spark JVM needs before libtorch starts (the core's launcher sets them on the command line). */
final class DjlDefaults {

    private DjlDefaults() {}

    /** The native library comes from the pinned jar on the classpath: never download one at run time. */
    static void apply() {
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
    }
}
