package io.resnet4j.inference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.resnet4j.image.Preprocessing;
import io.resnet4j.io.JsonErrors;
import io.resnet4j.io.ModelConfigJson;
import io.resnet4j.io.WeightsFormatException;
import io.resnet4j.io.WeightsLoader;
import io.resnet4j.model.ResNetConfig;
import io.resnet4j.onnx.OnnxExporter;
import io.resnet4j.onnx.OnnxRuntimeModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A {@code .onnx} model (a file or its bytes) written by resnet4j's export: its architecture, class names and preprocessing come from its metadata. */
final class OnnxModelFile {

    private static final ObjectMapper JSON = new ObjectMapper();

    interface Assembler {
        ImageClassifier classifier(Backend backend, ResNetConfig config, List<String> names, Preprocessing pre,
                InferenceEngine engine);
    }

    private OnnxModelFile() {}

    static ImageClassifier open(Path file, int threads, Assembler assembler) throws IOException {
        return open(OnnxRuntimeModel.load(file, threads), file.toString(), assembler);
    }

    /** An export held in memory, e.g. shipped by a cluster's driver; {@code source} names it in errors. */
    static ImageClassifier open(byte[] onnx, String source, int threads, Assembler assembler) throws IOException {
        return open(OnnxRuntimeModel.load(onnx, threads), source, assembler);
    }

    private static ImageClassifier open(OnnxRuntimeModel model, String source, Assembler assembler) throws IOException {
        try {
            Map<String, String> meta = model.metadata();
            String configJson = meta.get(OnnxExporter.META_CONFIG);
            if (configJson == null) {
                throw new IOException(source + " has no resnet4j metadata (it was not written by 'resnet4j export');"
                        + " resnet4j runs its own exports only");
            }
            ResNetConfig config = ModelConfigJson.fromJson(JSON.readTree(configJson));
            String pre = meta.get(OnnxExporter.META_PREPROCESSING);
            Preprocessing preprocessing = pre != null ? Preprocessing.fromJson(pre) : Preprocessing.imagenet();
            preprocessing.validate();
            return assembler.classifier(new OnnxBackend(model), config, classNames(meta, config), preprocessing,
                    InferenceEngine.ONNXRUNTIME);
        } catch (IllegalArgumentException e) {
            model.close();
            throw new WeightsFormatException(source + " has unusable resnet4j metadata: " + e.getMessage());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            model.close();
            throw new WeightsFormatException(source + " has unreadable resnet4j metadata: " + JsonErrors.describe(e));
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
    }

    private static List<String> classNames(Map<String, String> meta, ResNetConfig config) throws IOException {
        String namesJson = meta.get(OnnxExporter.META_CLASS_NAMES);
        if (namesJson == null) {
            return WeightsLoader.defaultClassNames(config.classes());
        }
        List<String> names = new ArrayList<>();
        for (JsonNode n : JSON.readTree(namesJson)) {
            names.add(n.asText());
        }
        return names;
    }
}
