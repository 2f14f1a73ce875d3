package io.resnet4j.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.resnet4j.image.RgbImage;
import io.resnet4j.image.Preprocessing;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderTest {

    /** ROOT/train/{cat,ant}/ with n tiny JPEG/PNG images each, the colour encoding class and index. */
    static Path makeFolder(Path root, int perClass, int side) throws Exception {
        String[] classes = {"cat", "ant", "bee"};
        for (String split : new String[] {"train", "val"}) {
            for (int c = 0; c < classes.length; c++) {
                Path dir = Files.createDirectories(root.resolve(split).resolve(classes[c]));
                for (int i = 0; i < perClass; i++) {
                    BufferedImage img = new BufferedImage(side + i, side, BufferedImage.TYPE_INT_RGB);
                    for (int y = 0; y < side; y++) {
                        for (int x = 0; x < side + i; x++) {
                            img.setRGB(x, y, ((c * 80) << 16) | ((x * 7 & 0xff) << 8) | (y * 5 & 0xff));
                        }
                    }
                    String ext = i % 2 == 0 ? "png" : "jpg";
                    ImageIO.write(img, ext.equals("jpg") ? "jpeg" : "png", dir.resolve("img" + i + "." + ext).toFile());
                }
            }
        }
        return root;
    }

    @Test
    void classesAreSortedFolderNames(@TempDir Path tmp) throws Exception {
        makeFolder(tmp, 2, 12);
        Files.writeString(tmp.resolve("train/cat/notes.txt"), "not an image");
        ImageFolder f = ImageFolder.open(tmp.resolve("train"));
        assertThat(f.classNames()).containsExactly("ant", "bee", "cat");
        assertThat(f.size()).isEqualTo(6);
        assertThat(f.label(0)).isZero();
        assertThat(f.label(5)).isEqualTo(2);
        assertThat(f.file(5).getFileName().toString()).isEqualTo("img1.jpg");
        assertThat(ImageFolder.isImageFolderRoot(tmp)).isTrue();
        assertThat(ImageFolder.isImageFolderRoot(tmp.resolve("train/cat"))).isFalse();
        assertThatThrownBy(() -> ImageFolder.open(tmp.resolve("nope"))).hasMessageContaining("not a folder");
    }

    @Test
    void unreadableFilesAreReportedAndSkipped(@TempDir Path tmp) throws Exception {
        makeFolder(tmp, 3, 10);
        Files.write(tmp.resolve("train/bee/broken.jpg"), new byte[] {1, 2, 3});
        ImageFolder f = ImageFolder.open(tmp.resolve("train"));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int images = 0;
        try (ImageFolderLoader l = ImageFolderLoader.builder(f, Preprocessing.imagenet(), 8).batchSize(5)
                .evaluation().report(new PrintStream(err, true)).build()) {
            while (l.hasNext()) {
                Batch b = l.next();
                assertThat(b.images()).hasSize(b.size() * 3 * 8 * 8);
                images += b.size();
            }
            assertThat(l.skipped()).singleElement().asString().endsWith("broken.jpg");
        }
        assertThat(images).isEqualTo(9);
        assertThat(err.toString()).contains("skipping unreadable image").contains("broken.jpg");
    }

    @Test
    void batchesDependOnSeedEpochAndPositionOnly(@TempDir Path tmp) throws Exception {
        makeFolder(tmp, 4, 16);
        ImageFolder f = ImageFolder.open(tmp.resolve("train"));
        List<Batch> a = collect(f, 1, 0, 0);
        List<Batch> b = collect(f, 3, 0, 0);
        assertThat(a).hasSize(6); // 12 images, batch 4, 2 epochs
        for (int i = 0; i < a.size(); i++) {
            assertThat(b.get(i).images()).isEqualTo(a.get(i).images());
            assertThat(b.get(i).labels()).isEqualTo(a.get(i).labels());
        }
        List<Batch> resumed = collect(f, 2, 1, 1); // epoch 1, batch 1 onwards
        assertThat(resumed).hasSize(2);
        assertThat(resumed.get(0).images()).isEqualTo(a.get(4).images());
        assertThat(a.get(0).images()).isNotEqualTo(a.get(3).images());
    }

    @Test
    void batchesReuseTheirBuffersAndShortOnesAreExactSize(@TempDir Path tmp) throws Exception {
        makeFolder(tmp, 4, 16);
        Files.write(tmp.resolve("train/bee/broken.jpg"), new byte[] {1, 2, 3}); // 13 files, one unreadable
        ImageFolder f = ImageFolder.open(tmp.resolve("train"));
        java.util.Set<float[]> buffers = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        int shortBatches = 0;
        try (ImageFolderLoader l = ImageFolderLoader.builder(f, Preprocessing.imagenet(), 8).batchSize(4).seed(3)
                .workers(2).prefetch(2).endEpoch(6).report(null).build()) {
            while (l.hasNext()) {
                Batch b = l.next();
                assertThat(b.images()).hasSize(b.size() * 3 * 8 * 8);
                if (b.size() == 4) {
                    buffers.add(b.images());
                } else {
                    shortBatches++;
                }
            }
        }
        assertThat(shortBatches).isBetween(1, 6); // the broken file falls in a kept batch in most epochs
        assertThat(buffers).hasSizeLessThanOrEqualTo(2 + 1);
    }

    private static List<Batch> collect(ImageFolder f, int workers, int epoch, int batch) {
        List<Batch> out = new ArrayList<>();
        try (ImageFolderLoader l = ImageFolderLoader.builder(f, Preprocessing.imagenet(), 12).batchSize(4).seed(7)
                .workers(workers).startAt(epoch, batch).endEpoch(2).build()) {
            l.forEachRemaining(b -> out.add(b.copy()));
        }
        return out;
    }

    @Test
    void transforms() {
        byte[] px = new byte[4 * 3 * 3];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) i;
        }
        RgbImage img = new RgbImage(4, 3, px);
        RgbImage flipped = ImageTransforms.horizontalFlip(img);
        assertThat(flipped.get(0, 1, 2)).isEqualTo(img.get(3, 1, 2));
        assertThat(ImageTransforms.horizontalFlip(flipped).rgb()).isEqualTo(px);
        RgbImage c = ImageTransforms.crop(img, 1, 1, 2);
        assertThat(c.get(0, 0, 0)).isEqualTo(img.get(1, 1, 0));
        assertThat(c.get(1, 1, 1)).isEqualTo(img.get(2, 2, 1));
        assertThatThrownBy(() -> ImageTransforms.crop(img, 3, 0, 2)).hasMessageContaining("leaves the 4x3 image");
        // Fused flip in toChw equals flipping first.
        float[] a = new float[36];
        float[] b = new float[36];
        ImageTransforms.toChw(img, true, a, 0);
        ImageTransforms.toChw(flipped, false, b, 0);
        assertThat(a).isEqualTo(b);
        assertThat(b[12]).isEqualTo((flipped.get(0, 0, 1)) / 255f); // green plane starts at 12

        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < 50; i++) {
            RgbImage s = ImageTransforms.randomResizeShorter(img, 5, 7, r);
            assertThat(Math.min(s.width(), s.height())).isBetween(5, 7);
            RgbImage rc = ImageTransforms.randomCrop(s, 5, r);
            assertThat(rc.width()).isEqualTo(5);
        }
        // The fused form draws the same numbers and gives the same pixels as the two steps.
        byte[] photo = new byte[40 * 30 * 3];
        new java.util.Random(9).nextBytes(photo);
        RgbImage big = new RgbImage(40, 30, photo);
        for (long seed = 0; seed < 30; seed++) {
            SplittableRandom r1 = new SplittableRandom(seed);
            SplittableRandom r2 = new SplittableRandom(seed);
            RgbImage twoSteps = ImageTransforms.randomCrop(ImageTransforms.randomResizeShorter(big, 16, 48, r1), 16, r1);
            RgbImage fused = ImageTransforms.randomResizedCrop(big, 16, 48, 16, r2);
            assertThat(fused.rgb()).as("seed " + seed).isEqualTo(twoSteps.rgb());
            assertThat(r2.nextLong()).isEqualTo(r1.nextLong());
        }
        assertThat(ImageTransforms.scaled(256, 224)).isEqualTo(256);
        assertThat(ImageTransforms.scaled(256, 64)).isEqualTo(73);
        assertThat(ImageTransforms.scaled(480, 64)).isEqualTo(137);
    }

    @Test
    void lightingAddsTheEigenvectorCombination() {
        float[] off = ImageTransforms.lightingOffsets(new float[] {1, 0, 0});
        assertThat(off[0]).isEqualTo(-0.5675f * 0.2175f);
        assertThat(off[2]).isEqualTo(-0.5836f * 0.2175f);
        float[] chw = new float[3 * 4];
        float[] added = ImageTransforms.lighting(chw, 0, 4, 0.1f, new SplittableRandom(3));
        for (int ch = 0; ch < 3; ch++) {
            for (int i = 0; i < 4; i++) {
                assertThat(chw[ch * 4 + i]).isEqualTo(added[ch]);
            }
        }
        assertThat(added[0]).isNotZero();
    }

    @Test
    void normalisationPerChannelAndPerPixel() {
        float[] chw = {1, 1, 1, 1, 0.5f, 0.5f, 0.5f, 0.5f, 0, 0, 0, 0};
        float[] x = chw.clone();
        ImageTransforms.normalise(x, 0, 2, Preprocessing.imagenet());
        assertThat(x[0]).isEqualTo((1 - 0.485f) * (1 / 0.229f));
        float[] mean = new float[12];
        mean[5] = 0.25f;
        Preprocessing pp = new Preprocessing(Preprocessing.PER_PIXEL_MEAN, 2, 0, 0, null, new float[] {0.5f, 0.5f, 0.5f}, mean);
        float[] y = chw.clone();
        ImageTransforms.normalise(y, 0, 2, pp);
        assertThat(y[5]).isEqualTo(0.5f);
        assertThat(y[4]).isEqualTo(1f);
        assertThatThrownBy(() -> ImageTransforms.normalise(chw.clone(), 0, 3, pp)).hasMessageContaining("mean image");
    }
}
