package io.resnet4j.cli;

import io.resnet4j.model.ResNetConfig;
import io.resnet4j.model.ResNetFamily;
import io.resnet4j.model.Shortcut;
import io.resnet4j.model.StridePlacement;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The model name and the architecture options shared by every command that builds a network.
 * Invalid combinations become {@link UsageException}s whose message lists what is valid.
 */
public final class ModelSelection {

    @Parameters(index = "0", paramLabel = "MODEL", description = "Model name, e.g. resnet50, resnet20, plain56 (see 'resnet4j models').")
    String model;

    @Option(names = "--input", paramLabel = "SIDE", description = "Input side in pixels (default: the model's, 224 ImageNet / 32 CIFAR).")
    Integer input;

    @Option(names = "--classes", paramLabel = "K", description = "Classes of the classifier (default: 1000 ImageNet / 10 CIFAR).")
    Integer classes;

    @Option(names = "--shortcut", paramLabel = "A|B|C",
            description = "Shortcut option: A identity + zero padding, B projection where dimensions change, C projection everywhere (default: the paper's, B ImageNet / A CIFAR).")
    String shortcut;

    @Option(names = "--stride-on", paramLabel = "1x1|3x3",
            description = "Bottleneck stride placement: 1x1 (the paper, default) or 3x3 (torchvision, v1.5).")
    String strideOn;

    @Option(names = "--zero-init-last-bn", description = "Initialise each residual branch's last BN gamma to 0.")
    boolean zeroInitLastBn;

    /** The validated configuration. */
    public ResNetConfig config() {
        try {
            ResNetConfig c = ResNetConfig.of(ResNetFamily.get(model));
            if (shortcut != null) {
                c = c.withShortcut(Shortcut.parse(shortcut));
            }
            if (strideOn != null) {
                c = c.withStridePlacement(StridePlacement.parse(strideOn));
            }
            if (classes != null) {
                c = c.withClasses(classes);
            }
            if (input != null) {
                c = c.withInputSize(input);
            }
            return c.withZeroInitLastGamma(zeroInitLastBn);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }
}
