package io.resnet4j.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;

/**
 * The input transform a model expects, stored in every checkpoint so evaluation and prediction
 * apply exactly what training applied. In both kinds a pixel p (0-255) of channel c at (y, x)
 * becomes {@code (p / 255 - mean[c, y, x]) / std[c]}:
 *
 * <ul>
 *   <li>{@code per-pixel-mean}: the paper's CIFAR protocol, a mean image over the training split
 *       ({@code meanImage}, 3xHxW in [0,1] units) and a common scale (std 64/255, as the PyTorch
 *       yardstick divides by 64 in 0-255 units);
 *   <li>{@code mean-std}: torchvision's ImageNet transform, resize the shorter side, centre crop,
 *       per-channel mean and std.
 * </ul>
 *
 * @param kind "per-pixel-mean" or "mean-std"
 * @param inputSize side of the network input
 * @param resize shorter side before cropping (0 for none)
 * @param crop centre crop side (0 for none)
 * @param channelMean per-channel mean for mean-std, in [0,1] units (null for per-pixel-mean)
 * @param channelStd per-channel std (both kinds)
 * @param meanImage the 3xHxW mean image in [0,1] units for per-pixel-mean (null otherwise)
 */
public record Preprocessing(
        String kind, int inputSize, int resize, int crop, float[] channelMean, float[] channelStd,
        float[] meanImage) {

    public static final String PER_PIXEL_MEAN = "per-pixel-mean";
    public static final String MEAN_STD = "mean-std";

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Largest resize or crop side: the largest network input resnet4j builds. */
    public static final int MAX_SIDE = io.resnet4j.model.ResNetConfig.MAX_INPUT_SIZE;

    /** torchvision's evaluation transform for ImageNet models. */
    public static Preprocessing imagenet() {
        return new Preprocessing(MEAN_STD, 224, 256, 224, new float[] {0.485f, 0.456f, 0.406f},
                new float[] {0.229f, 0.224f, 0.225f}, null);
    }

    /** The paper's CIFAR transform: subtract the training split's mean image, divide by std. */
    public static Preprocessing perPixelMean(float[] meanImage, float[] channelStd, int inputSize) {
        return new Preprocessing(PER_PIXEL_MEAN, inputSize, 0, 0, null, channelStd, meanImage);
    }

    /**
     * Checks what a file may get wrong: a std of 0 divides every pixel by zero (NaN probabilities
     * that look like results), and a resize or crop out of range fails on every image instead of
     * once, at load.
     *
     * @throws IllegalArgumentException naming the faulty value
     */
    public void validate() {
        if (inputSize < 1 || inputSize > MAX_SIDE || resize < 0 || resize > MAX_SIDE || crop < 0 || crop > MAX_SIDE) {
            throw new IllegalArgumentException("preprocessing input_size " + inputSize + ", resize " + resize + ", crop "
                    + crop + " out of range (sides up to " + MAX_SIDE + ")");
        }
        if (channelStd == null || channelStd.length != 3) {
            throw new IllegalArgumentException("preprocessing needs a std for each of the 3 channels");
        }
        for (float s : channelStd) {
            if (!(s > 0) || Float.isInfinite(s)) {
                throw new IllegalArgumentException("preprocessing std " + java.util.Arrays.toString(channelStd)
                        + " must be positive and finite (a std of 0 turns every prediction into NaN)");
            }
        }
        if (MEAN_STD.equals(kind) && (channelMean == null || channelMean.length != 3 || !finite(channelMean))) {
            throw new IllegalArgumentException("mean-std preprocessing needs 3 finite channel means");
        }
        if (PER_PIXEL_MEAN.equals(kind) && (meanImage == null || meanImage.length != 3 * inputSize * inputSize
                || !finite(meanImage))) {
            throw new IllegalArgumentException("per-pixel-mean preprocessing needs a finite 3x" + inputSize + "x"
                    + inputSize + " mean image, got " + (meanImage == null ? 0 : meanImage.length) + " values");
        }
    }

    private static boolean finite(float[] values) {
        for (float v : values) {
            if (!Float.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    public String toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("kind", kind);
        o.put("input_size", inputSize);
        if (resize > 0) {
            o.put("resize", resize);
        }
        if (crop > 0) {
            o.put("crop", crop);
        }
        if (channelMean != null) {
            floats(o.putArray("mean"), channelMean);
        }
        if (channelStd != null) {
            floats(o.putArray("std"), channelStd);
        }
        if (meanImage != null) {
            ByteBuffer bb = ByteBuffer.allocate(meanImage.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (float f : meanImage) {
                bb.putFloat(f);
            }
            o.put("mean_image_f32le_base64", Base64.getEncoder().encodeToString(bb.array()));
        }
        return o.toString();
    }

    private static void floats(com.fasterxml.jackson.databind.node.ArrayNode a, float[] v) {
        for (float f : v) {
            a.add(f);
        }
    }

    public static Preprocessing fromJson(String json) {
        try {
            JsonNode o = JSON.readTree(json);
            String kind = o.path("kind").asText();
            float[] image = null;
            if (o.has("mean_image_f32le_base64")) {
                ByteBuffer bb = ByteBuffer.wrap(base64(o.get("mean_image_f32le_base64").asText()))
                        .order(ByteOrder.LITTLE_ENDIAN);
                image = new float[bb.remaining() / 4];
                bb.asFloatBuffer().get(image);
            }
            if (!kind.equals(PER_PIXEL_MEAN) && !kind.equals(MEAN_STD)) {
                throw new IllegalArgumentException("unknown preprocessing kind '" + kind + "'");
            }
            return new Preprocessing(kind, o.path("input_size").asInt(), o.path("resize").asInt(0),
                    o.path("crop").asInt(0), floats(o.get("mean")), floats(o.get("std")), image);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("preprocessing metadata is not JSON: " + e.getOriginalMessage());
        }
    }

    private static byte[] base64(String text) {
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("preprocessing mean image is not base64 (" + e.getMessage() + ")");
        }
    }

    private static float[] floats(JsonNode a) {
        if (a == null || !a.isArray()) {
            return null;
        }
        float[] out = new float[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) a.get(i).asDouble();
        }
        return out;
    }

    /**
     * An image at the input size as network input, CHW: {@code (p / 255 - mean) / std}, the mean
     * per pixel or per channel.
     *
     * @throws IllegalArgumentException when a per-pixel mean image does not match the image's size
     */
    public float[] normalise(RgbImage img) {
        int plane = img.width() * img.height();
        boolean perPixel = PER_PIXEL_MEAN.equals(kind);
        if (perPixel && (meanImage == null || meanImage.length != 3 * plane)) {
            throw new IllegalArgumentException("the mean image has " + (meanImage == null ? 0 : meanImage.length)
                    + " values but the input is 3x" + img.height() + "x" + img.width() + "; crop to " + inputSize);
        }
        return normalise(img, perPixel ? meanImage : channelMean, perPixel ? plane : 1);
    }

    /**
     * Any size, for fully-convolutional evaluation: a per-pixel mean image exists only at the
     * training crop size, so at other sizes its per-channel average stands in for it.
     */
    public float[] normaliseAnySize(RgbImage img) {
        if (!PER_PIXEL_MEAN.equals(kind)) {
            return normalise(img, channelMean, 1);
        }
        if (meanImage != null && meanImage.length == 3 * img.width() * img.height()) {
            return normalise(img, meanImage, img.width() * img.height());
        }
        return normalise(img, channelAverages(), 1);
    }

    /** The per-channel averages of the mean image (or the channel means). */
    public float[] channelAverages() {
        if (meanImage == null) {
            return channelMean.clone();
        }
        float[] mean = new float[3];
        int per = meanImage.length / 3;
        for (int c = 0; c < 3; c++) {
            double s = 0;
            for (int i = 0; i < per; i++) {
                s += meanImage[c * per + i];
            }
            mean[c] = (float) (s / per);
        }
        return mean;
    }

    /** The one normalisation loop; {@code meanStride} is the plane size for a mean image, 1 for channel means. */
    private float[] normalise(RgbImage img, float[] mean, int meanStride) {
        int plane = img.width() * img.height();
        float[] out = new float[3 * plane];
        byte[] rgb = img.rgb();
        for (int c = 0; c < 3; c++) {
            float std = channelStd[c];
            for (int i = 0; i < plane; i++) {
                float m = meanStride == 1 ? mean[c] : mean[c * plane + i];
                out[c * plane + i] = ((rgb[i * 3 + c] & 0xff) / 255f - m) / std;
            }
        }
        return out;
    }
}
