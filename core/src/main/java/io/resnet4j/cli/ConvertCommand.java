package io.resnet4j.cli;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.resnet4j.io.Checkpoint;
import io.resnet4j.io.PrintableText;
import io.resnet4j.io.WeightsLoader;
import io.resnet4j.model.BlockType;
import io.resnet4j.model.ResNetConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code resnet4j convert WEIGHTS FILE}: any supported weights to a resnet4j checkpoint (safetensors with
 * torchvision names, which PyTorch loads strictly, plus metadata recording the architecture, the
 * stride placement, class names and preprocessing, so nothing needs to be inferred again).
 */
@Command(name = "convert", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, sortOptions = false,
        description = "Convert a .pth/.pt/.safetensors state_dict or torchvision:NAME weights to a resnet4j checkpoint.")
public final class ConvertCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "WEIGHTS", description = "A .pth, .pt or .safetensors file, or torchvision:NAME[.V1|.V2].")
    String in;

    @Parameters(index = "1", paramLabel = "FILE", description = "The resnet4j checkpoint to write (.safetensors).")
    Path out;

    @Option(names = "--model", paramLabel = "MODEL", description = "Model name (default: inferred from the tensor names and shapes).")
    String model;

    @Option(names = "--stride-on", paramLabel = "1x1|3x3",
            description = "Bottleneck stride placement the weights were trained with (default: 3x3, as torchvision and timm).")
    String strideOn;

    @Option(names = "--cache-dir", paramLabel = "DIR", description = "Cache for torchvision downloads (default: $RESNET4J_CACHE or ~/.cache/resnet4j/weights).")
    Path cacheDir;

    @Option(names = "--force", description = "Overwrite FILE if it exists.")
    boolean force;

    @CommandLine.Mixin
    EngineOptions engine;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        OutputGuard.check(out, force, in);
        engine.apply();
        try (NDManager manager = NDManager.newBaseManager(ai.djl.Device.cpu())) {
            WeightsLoader.Loaded loaded = WeightsSelection.load(in, model, strideOn, cacheDir, manager);
            ObjectNode provenance = new ObjectMapper().createObjectNode();
            provenance.put("converted_from", in);
            provenance.put("source_kind", loaded.resnet4jCheckpoint() ? "resnet4j checkpoint" : "state_dict without resnet4j metadata");
            provenance.put("tool", "resnet4j convert");
            Checkpoint.save(out, loaded.net(), loaded.classNames(), loaded.preprocessing(), provenance);
            ResNetConfig c = loaded.net().config();
            PrintWriter o = spec.commandLine().getOut();
            o.printf("wrote %s: %s, shortcut %s%s, %d classes, %s parameters%n", PrintableText.of(out),
                    PrintableText.of(c.spec().name()), c.shortcutLabel(),
                    c.spec().blockType() == BlockType.BOTTLENECK ? ", stride on " + c.stridePlacement().label() : "",
                    c.classes(), Format.count(loaded.net().parameterCount()));
            o.flush();
            return 0;
        }
    }
}
