package io.resnet4j.inference;

import ai.djl.modality.Classifications;
import ai.djl.modality.cv.Image;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.Batchifier;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorContext;
import io.resnet4j.image.ImageLoader;
import io.resnet4j.image.ImageTransform;
import io.resnet4j.image.RgbImage;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * DJL's way in: a {@link Translator} from DJL {@link Image}s to {@link Classifications} with
 * resnet4j's exact preprocessing, so a resnet4j network (a DJL {@code Block}) runs through
 * {@code Criteria}, {@code ZooModel} and {@code Predictor} like any model of DJL's zoo.
 *
 * <pre>{@code
 * Criteria<Image, Classifications> criteria = Criteria.builder()
 *         .setTypes(Image.class, Classifications.class)
 *         .optModelPath(modelDir).optBlock(new ResNet(config))
 *         .optTranslator(new ResNetTranslator(transform, classNames, 5))
 *         .build();
 * }</pre>
 */
public final class ResNetTranslator implements Translator<Image, Classifications> {

    private final ImageTransform transform;
    private final List<String> classNames;
    private final int topK;

    /**
     * @param transform resize, crop and normalisation (an {@link ImageClassifier}'s, or
     *     {@code ImageTransform.of(preprocessing, null, null)})
     * @param classNames one name per class
     * @param topK classes kept in each result
     */
    public ResNetTranslator(ImageTransform transform, List<String> classNames, int topK) {
        this.transform = transform;
        this.classNames = List.copyOf(classNames);
        this.topK = topK;
    }

    @Override
    public NDList processInput(TranslatorContext ctx, Image input) {
        int s = transform.crop();
        float[] chw = transform.apply(rgb(ctx, input));
        return new NDList(ctx.getNDManager().create(chw, new Shape(3, s, s)));
    }

    /** The image's 8-bit RGB pixels, converted as resnet4j's own loader converts files. */
    private static RgbImage rgb(TranslatorContext ctx, Image image) {
        if (image.getWrappedImage() instanceof BufferedImage b) {
            return ImageLoader.toRgb(b);
        }
        NDArray hwc = image.toNDArray(ctx.getNDManager(), Image.Flag.COLOR).toType(DataType.UINT8, false);
        return new RgbImage(image.getWidth(), image.getHeight(), hwc.toByteArray());
    }

    @Override
    public Classifications processOutput(TranslatorContext ctx, NDList list) {
        NDArray probabilities = list.singletonOrThrow().toType(DataType.FLOAT64, false).softmax(-1);
        return new Classifications(classNames, probabilities, topK);
    }

    @Override
    public Batchifier getBatchifier() {
        return Batchifier.STACK;
    }
}
