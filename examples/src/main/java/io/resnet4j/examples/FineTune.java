package io.resnet4j.examples;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.resnet4j.data.CifarData;
import io.resnet4j.data.CifarSample;
import io.resnet4j.data.Split;
import io.resnet4j.io.Checkpoint;
import io.resnet4j.model.ResNet;
import io.resnet4j.model.ResNetConfig;
import io.resnet4j.train.Recipe;
import io.resnet4j.train.TrainConfig;
import io.resnet4j.train.Trainer;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Trains a small ResNet briefly on the shapes sample that ships inside resnet4j (a stand-in for
 * pretrained weights), then fine-tunes it: stem and conv2_x frozen, the rest at the fine-tuning
 * recipe's rates. Writes {@code WORK/finetuned.safetensors} and a few sample images to
 * {@code WORK/images/} for the other examples. {@code FineTune WORK}
 */
public final class FineTune {

    public static void main(String[] args) throws Exception {
        Path work = Files.createDirectories(Path.of(args[0]));
        Map<Split, CifarData> sample = CifarSample.load(EnumSet.of(Split.TRAIN45K, Split.VAL5K));
        CifarData train = sample.get(Split.TRAIN45K);
        CifarData val = sample.get(Split.VAL5K);
        try (NDManager manager = NDManager.newBaseManager()) {
            ResNet net = new ResNet(ResNetConfig.of("resnet20")).initialize(manager);
            Trainer pretraining = new Trainer(TrainConfig.builder(Recipe.cifar()).model(net.config())
                    .batchSize(64).iterations(400).build(), train, val, Device.cpu());
            pretraining.train(net);
            double before = pretraining.outcome().lastValError();

            Trainer fineTuning = new Trainer(TrainConfig.builder(Recipe.fineTune()).model(net.config())
                    .batchSize(64).iterations(100).frozenPrefix(2).build(), train, val, Device.cpu());
            fineTuning.train(net);
            double after = fineTuning.outcome().lastValError();
            System.out.printf("validation error: %.1f%% after pretraining, %.1f%% after fine-tuning%n",
                    100 * before, 100 * after);

            Path weights = work.resolve("finetuned.safetensors");
            Checkpoint.save(weights, net, train.classNames(), fineTuning.preprocessing(),
                    new ObjectMapper().createObjectNode().put("tool", "resnet4j examples: FineTune"));
            System.out.println("wrote " + weights);
            if (!(after < 0.8)) { // chance is 90%; runs here ended at 15-54%
                throw new IllegalStateException("fine-tuning did not learn the shapes (validation error " + after + ")");
            }
        }
        writeImages(val, work.resolve("images"), 4);
    }

    /** A few validation images as PNG files, named after their class. */
    private static void writeImages(CifarData data, Path dir, int count) throws Exception {
        Files.createDirectories(dir);
        for (int i = 0; i < count; i++) {
            BufferedImage img = new BufferedImage(CifarData.SIDE, CifarData.SIDE, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < CifarData.SIDE; y++) {
                for (int x = 0; x < CifarData.SIDE; x++) {
                    img.setRGB(x, y, data.pixel(i, 0, y, x) << 16 | data.pixel(i, 1, y, x) << 8 | data.pixel(i, 2, y, x));
                }
            }
            String name = i + "-" + data.classNames().get(data.label(i)) + ".png";
            ImageIO.write(img, "png", dir.resolve(name).toFile());
        }
    }
}
