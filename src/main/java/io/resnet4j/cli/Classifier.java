package io.resnet4j.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.resnet4j.io.JsonErrors;
import io.resnet4j.io.ModelConfigJson;
import io.resnet4j.io.Preprocessing;
import io.resnet4j.io.WeightsFormatException;
import io.resnet4j.io.WeightsLoader;
import io.resnet4j.model.ResNet;
import io.resnet4j.model.ResNetConfig;
import io.resnet4j.onnx.OnnxExporter;
import io.resnet4j.onnx.OnnxRuntimeModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A trained network ready for inference on preprocessed batches, on either engine: eager libtorch
 * (the DJL network itself) or ONNX Runtime (the network exported in memory, or an exported
 * {@code .onnx} file read directly, its class names and preprocessing taken from its metadata).
 */
abstract class Classifier implements AutoCloseable {

    private final ResNetConfig config;
    private final List<String> classNames;
    private final Preprocessing preprocessing;
    private final InferenceEngine engine;

    Classifier(ResNetConfig config, List<String> classNames, Preprocessing preprocessing, InferenceEngine engine) {
        this.config = config;
        this.classNames = classNames;
        this.preprocessing = preprocessing;
        this.engine = engine;
    }

    ResNetConfig config() {
        return config;
    }

    List<String> classNames() {
        return classNames;
    }

    Preprocessing preprocessing() {
        return preprocessing;
    }

    InferenceEngine engine() {
        return engine;
    }

    /** Logits, {@code n x classes} row-major, for a preprocessed (n, 3, H, W) batch. */
    abstract float[] logits(NDArray batch);

    @Override
    public void close() {}

    static boolean isOnnxFile(String weights) {
        return weights.toLowerCase(Locale.ROOT).endsWith(".onnx");
    }

    /** Opens weights (any format {@link WeightsLoader} reads, or a resnet4j .onnx export) on an engine. */
    static Classifier open(WeightsSelection weights, InferenceEngine engine, int threads, NDManager manager)
            throws IOException {
        if (isOnnxFile(weights.weights)) {
            if (engine == InferenceEngine.PYTORCH) {
                throw new UsageException(weights.weights + " is an ONNX model, which only --engine onnxruntime runs;"
                        + " give a checkpoint or state_dict for --engine pytorch");
            }
            return onnxFile(Path.of(weights.weights), threads);
        }
        WeightsLoader.Loaded loaded = weights.load(manager);
        ResNet net = loaded.net();
        if (engine == InferenceEngine.PYTORCH) {
            ParameterStore ps = new ParameterStore(manager, false);
            return new Classifier(net.config(), loaded.classNames(), loaded.preprocessing(), engine) {
                @Override
                float[] logits(NDArray batch) {
                    return net.forward(ps, new NDList(batch), false).singletonOrThrow().toFloatArray();
                }
            };
        }
        byte[] onnx = OnnxExporter.export(net, null, null, OnnxExporter.Options.defaults(), VersionProvider.version());
        return onnx(OnnxRuntimeModel.load(onnx, threads), net.config(), loaded.classNames(), loaded.preprocessing());
    }

    private static Classifier onnxFile(Path file, int threads) throws IOException {
        OnnxRuntimeModel model = OnnxRuntimeModel.load(file, threads);
        try {
            ObjectMapper json = new ObjectMapper();
            String configJson = model.metadata().get(OnnxExporter.META_CONFIG);
            if (configJson == null) {
                throw new UsageException(file + " has no resnet4j metadata (it was not written by 'resnet4j export');"
                        + " predict runs resnet4j exports only");
            }
            ResNetConfig config = ModelConfigJson.fromJson(json.readTree(configJson));
            List<String> names = new ArrayList<>();
            String namesJson = model.metadata().get(OnnxExporter.META_CLASS_NAMES);
            if (namesJson != null) {
                for (JsonNode n : json.readTree(namesJson)) {
                    names.add(n.asText());
                }
            } else {
                names.addAll(WeightsLoader.defaultClassNames(config.classes()));
            }
            String pre = model.metadata().get(OnnxExporter.META_PREPROCESSING);
            Preprocessing preprocessing = pre != null ? Preprocessing.fromJson(pre) : Preprocessing.imagenet();
            preprocessing.validate();
            return onnx(model, config, names, preprocessing);
        } catch (IllegalArgumentException e) {
            model.close();
            throw new WeightsFormatException(file + " has unusable resnet4j metadata: " + e.getMessage());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            model.close();
            throw new WeightsFormatException(file + " has unreadable resnet4j metadata: " + JsonErrors.describe(e));
        } catch (RuntimeException | IOException e) {
            model.close();
            throw e;
        }
    }

    private static Classifier onnx(OnnxRuntimeModel model, ResNetConfig config, List<String> names, Preprocessing pre) {
        return new Classifier(config, names, pre, InferenceEngine.ONNXRUNTIME) {
            @Override
            float[] logits(NDArray batch) {
                long[] s = batch.getShape().getShape();
                return model.logits(batch.toFloatArray(), (int) s[0], (int) s[2], (int) s[3]);
            }

            @Override
            public void close() {
                model.close();
            }
        };
    }
}
