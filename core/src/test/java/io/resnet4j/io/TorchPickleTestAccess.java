package io.resnet4j.io;

import java.nio.file.Path;

/** Lets tests of other packages build the malicious .pth of {@link TorchPickleTest}. */
public final class TorchPickleTestAccess {
    private TorchPickleTestAccess() {}

    public static Path malicious(Path dir) throws Exception {
        return TorchPickleTest.maliciousPth(dir);
    }
}
