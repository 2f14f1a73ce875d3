package io.resnet4j.io;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import javax.imageio.ImageIO;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Writes the fuzzers' seed corpora (a few small valid and broken inputs per target) into the
 * resource folders where Jazzer looks for them. Run from the project root after changing a format:
 * {@code java -cp target/test-classes:target/classes:$(cat cp.txt) io.resnet4j.io.FuzzSeeds src/test/resources}.
 */
public final class FuzzSeeds {

    private FuzzSeeds() {}

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args.length > 0 ? args[0] : "src/test/resources");
        safetensors(root.resolve("io/resnet4j/io/SafeTensorsFuzzTestInputs/safetensors"));
        pth(root.resolve("io/resnet4j/io/TorchPickleFuzzTestInputs/pth"));
        cifar(root.resolve("io/resnet4j/data/Cifar10FuzzTestInputs/tarGz"));
        images(root.resolve("io/resnet4j/image/ImageLoaderFuzzTestInputs/image"));
    }

    static void safetensors(Path dir) throws Exception {
        Files.createDirectories(dir);
        String two = "{\"__metadata__\":{\"format\":\"pt\"},\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"I64\",\"shape\":[1,1],\"data_offsets\":[8,16]}}";
        HostileFiles.safetensors(dir.resolve("two_tensors"), two, new byte[16]);
        HostileFiles.overlappingSafetensors(dir.resolve("overlapping"), 3, 8);
        HostileFiles.safetensors(dir.resolve("not_json"), "{\"a\": [1,,", new byte[0]);
    }

    static void pth(Path dir) throws Exception {
        Files.createDirectories(dir);
        byte[] honest = new HostileFiles.Pickle().raw('}')
                .tensor("w", "0", 6, 1, new long[] {2, 2}, new long[] {1, 2})
                .tensor("b", "0", 16, 0, new long[] {4}, new long[] {1}).stop();
        Files.write(dir.resolve("pickle_state_dict"), prefixed(0, honest));
        Files.write(dir.resolve("pickle_self_reference"), prefixed(0,
                new HostileFiles.Pickle().raw('}', ']', 'q', 0, 'h', 0, 'a', 'N', 's').stop()));
        Path zip = HostileFiles.pth(Files.createTempFile("seed", ".pth"), honest,
                List.of(CraftedZip.Item.stored("archive/data/0", new byte[64])));
        Files.write(dir.resolve("zip_state_dict"), prefixed(1, Files.readAllBytes(zip)));
        Files.delete(zip);
    }

    private static byte[] prefixed(int mode, byte[] rest) {
        byte[] out = new byte[rest.length + 1];
        out[0] = (byte) mode;
        System.arraycopy(rest, 0, out, 1, rest.length);
        return out;
    }

    static void cifar(Path dir) throws Exception {
        Files.createDirectories(dir);
        byte[] records = new byte[2 * 3073];
        for (int i = 0; i < records.length; i++) {
            records[i] = (byte) (i % 3073 == 0 ? i / 3073 : i * 7);
        }
        Files.write(dir.resolve("two_records"), tarGz(List.of("cifar-10-batches-bin/data_batch_1.bin",
                "cifar-10-batches-bin/batches.meta.txt"), List.of(records,
                "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n".getBytes(StandardCharsets.UTF_8))));
        Files.write(dir.resolve("truncated_record"), tarGz(List.of("data_batch_1.bin"),
                List.of(Arrays.copyOf(records, 3000))));
    }

    private static byte[] tarGz(List<String> names, List<byte[]> contents) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes); TarArchiveOutputStream tar = new TarArchiveOutputStream(gz)) {
            for (int i = 0; i < names.size(); i++) {
                TarArchiveEntry e = new TarArchiveEntry(names.get(i));
                e.setSize(contents.get(i).length);
                tar.putArchiveEntry(e);
                tar.write(contents.get(i));
                tar.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    static void images(Path dir) throws Exception {
        Files.createDirectories(dir);
        BufferedImage img = new BufferedImage(8, 6, BufferedImage.TYPE_INT_RGB);
        for (int p = 0; p < 48; p++) {
            img.setRGB(p % 8, p / 8, p * 0x050403);
        }
        for (String format : List.of("png", "jpg")) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(img, format, out);
            Files.write(dir.resolve("small_" + format), out.toByteArray());
            Files.write(dir.resolve("truncated_" + format), Arrays.copyOf(out.toByteArray(), out.size() * 2 / 3));
        }
        BufferedImage gray = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY);
        ImageIO.write(gray, "png", dir.resolve("gray_png").toFile());
        HostileFiles.hugePng(dir.resolve("huge_png_header"), 20_000, 20_000);
    }
}
