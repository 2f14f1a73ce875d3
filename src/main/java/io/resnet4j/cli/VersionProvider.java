package io.resnet4j.cli;

import picocli.CommandLine;

/** Reads the version from the jar manifest (Implementation-Version) so it never drifts from the build. */
public final class VersionProvider implements CommandLine.IVersionProvider {

    /** The resnet4j version, or "development" when run from classes outside a jar. */
    public static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v == null ? "development" : v;
    }

    @Override
    public String[] getVersion() {
        return new String[] {
            "resnet4j " + version(),
            "DJL " + ai.djl.engine.Engine.getDjlVersion() + ", PyTorch native 2.7.1 (pinned), Java "
                    + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")"
        };
    }
}
