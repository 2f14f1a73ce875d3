package io.resnet4j.inference;

import io.resnet4j.data.Cifar10;
import io.resnet4j.data.CifarData;
import io.resnet4j.data.Split;
import io.resnet4j.image.ImageLoader;
import io.resnet4j.image.ImageTransform;
import io.resnet4j.image.RgbImage;
import io.resnet4j.onnx.Int8Quantizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Images that calibrate an INT8 export, preprocessed exactly as inference will preprocess them:
 * evenly spaced over a folder of images (so every class folder contributes) or over CIFAR-10's
 * training split (train45k: never the validation images the export is then judged on).
 */
public final class CalibrationSet {

    private CalibrationSet() {}

    /**
     * @param source a folder of JPEG/PNG images (searched recursively), or CIFAR-10 binary data
     * @param images how many images to use (at most what the source has)
     * @param batchSize images per calibration batch
     */
    public static List<Int8Quantizer.Batch> from(Path source, ImageTransform transform, int images, int batchSize)
            throws IOException {
        if (images < 1 || batchSize < 1) {
            throw new IllegalArgumentException("calibration needs at least 1 image and a batch of at least 1, got "
                    + images + " and " + batchSize);
        }
        List<float[]> inputs = isCifar(source) ? cifar(source, transform, images) : files(source, transform, images);
        if (inputs.isEmpty()) {
            throw new IOException("no calibration images in " + source + " (expected JPEG/PNG files or CIFAR-10 data)");
        }
        return batches(inputs, transform.crop(), batchSize);
    }

    private static boolean isCifar(Path source) {
        return Cifar10.isArchive(source) || Files.exists(source.resolve("data_batch_1.bin"));
    }

    private static List<float[]> files(Path source, ImageTransform transform, int images) throws IOException {
        List<Path> all = ImageFiles.expand(List.of(source)).files();
        List<float[]> out = new ArrayList<>();
        for (int i : evenlySpaced(all.size(), images)) {
            out.add(transform.apply(ImageLoader.read(all.get(i))));
        }
        return out;
    }

    private static List<float[]> cifar(Path source, ImageTransform transform, int images) throws IOException {
        CifarData data = Cifar10.load(source, Split.TRAIN45K);
        List<float[]> out = new ArrayList<>();
        for (int i : evenlySpaced(data.size(), images)) {
            out.add(transform.apply(rgb(data, i)));
        }
        return out;
    }

    /** CIFAR stores planes (all red, then green, then blue); images are interleaved. */
    private static RgbImage rgb(CifarData data, int image) {
        byte[] rgb = new byte[CifarData.IMAGE_SIZE];
        int base = image * CifarData.IMAGE_SIZE;
        for (int p = 0; p < CifarData.PLANE; p++) {
            for (int c = 0; c < 3; c++) {
                rgb[p * 3 + c] = data.pixels()[base + c * CifarData.PLANE + p];
            }
        }
        return new RgbImage(CifarData.SIDE, CifarData.SIDE, rgb);
    }

    static int[] evenlySpaced(int available, int wanted) {
        int n = Math.min(available, wanted);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = (int) ((long) i * available / n);
        }
        return out;
    }

    private static List<Int8Quantizer.Batch> batches(List<float[]> inputs, int side, int batchSize) {
        List<Int8Quantizer.Batch> out = new ArrayList<>();
        for (int from = 0; from < inputs.size(); from += batchSize) {
            List<float[]> part = inputs.subList(from, Math.min(inputs.size(), from + batchSize));
            out.add(new Int8Quantizer.Batch(ImageBatches.concat(part, side), part.size(), side, side));
        }
        return out;
    }
}
