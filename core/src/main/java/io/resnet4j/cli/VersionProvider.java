package io.resnet4j.cli;

import io.resnet4j.Versions;
import picocli.CommandLine;

/** {@code --version}: resnet4j, DJL, libtorch and the JVM. */
public final class VersionProvider implements CommandLine.IVersionProvider {

    @Override
    public String[] getVersion() {
        return new String[] {
            "resnet4j " + Versions.resnet4j(),
            "DJL " + Versions.djl() + ", PyTorch native " + Versions.PYTORCH_NATIVE + " (pinned), Java "
                    + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")"
        };
    }
}
