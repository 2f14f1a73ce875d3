package io.resnet4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a user fixes by changing the command line is exit 2 with one line saying what is wrong:
 * data that is not there or not a data set, inputs without images, outputs that cannot be made.
 * A damaged data file stays a failure (exit 1).
 */
class UsageErrorsCliTest {

    private static String firstLine(CliTest.Result r) {
        return r.err().lines().findFirst().orElse("");
    }

    @Test
    void dataThatIsNotThereOrNotADataSetIsAUsageError(@TempDir Path tmp) throws Exception {
        CliTest.Result missing = CliTest.run("train", "--data", tmp.resolve("nope").toString());
        assertThat(missing.code()).as(missing.err()).isEqualTo(2);
        assertThat(firstLine(missing)).isEqualTo("resnet4j: " + tmp.resolve("nope") + " does not exist: pass the folder"
                + " holding data_batch_1..5.bin or the cifar-10-binary.tar.gz archive itself");

        CliTest.Result empty = CliTest.run("train", "--data", tmp.toString(), "--output", tmp.resolve("r").toString());
        assertThat(empty.code()).isEqualTo(2);
        assertThat(firstLine(empty)).contains("has none of data_batch_1..5.bin");
        assertThat(tmp.resolve("r")).doesNotExist();

        Files.createDirectories(tmp.resolve("folder/train/cat"));
        CliTest.Result noImages = CliTest.run("train", "--data", tmp.resolve("folder").toString());
        assertThat(noImages.code()).isEqualTo(2);
        assertThat(firstLine(noImages)).contains("has class folders but no .jpg, .jpeg or .png files");

        Files.writeString(tmp.resolve("data_batch_1.bin"), "not cifar");
        CliTest.Result corrupt = CliTest.run("train", "--data", tmp.toString());
        assertThat(corrupt.code()).as("a damaged file is a failure, not bad usage").isEqualTo(1);
    }

    @Test
    void aMissingInputFileIsAUsageError(@TempDir Path tmp) {
        CliTest.Result r = CliTest.run("convert", tmp.resolve("absent.pth").toString(), tmp.resolve("out.safetensors").toString());
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(firstLine(r)).startsWith("resnet4j: no such file: " + tmp.resolve("absent.pth"));
    }

    /**
     * An image or a text file given as weights is the wrong file (exit 2, saying what it is); a file
     * named .safetensors that does not start as one is a damaged file (exit 1), not "a PyTorch checkpoint".
     */
    @Test
    void aFileThatHoldsNoWeightsIsNamedForWhatItIs(@TempDir Path tmp) throws Exception {
        Path png = tmp.resolve("cat.png");
        Files.write(png, new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 13});
        Path text = Files.writeString(tmp.resolve("notes.pth"), "hello, not weights");
        Path empty = Files.createFile(tmp.resolve("empty.pt"));
        String[][] cases = {{png.toString(), "a PNG image"}, {text.toString(), "a text file"}, {empty.toString(), "empty"}};
        for (String command : new String[] {"predict", "detect"}) {
            for (String[] c : cases) {
                CliTest.Result r = CliTest.run(command, "--weights", c[0], png.toString());
                assertThat(r.code()).as(r.err()).isEqualTo(2);
                assertThat(firstLine(r)).isEqualTo("resnet4j: " + c[0] + " is " + c[1] + ", not weights: give a resnet4j"
                        + " checkpoint, a .pth/.pt or .safetensors state dict, a resnet4j .onnx export or torchvision:NAME");
            }
        }
        Path folder = Files.createDirectories(tmp.resolve("run"));
        Files.writeString(folder.resolve("model.safetensors"), "placeholder");
        CliTest.Result dir = CliTest.run("predict", "--weights", folder.toString(), png.toString());
        assertThat(dir.code()).as(dir.err()).isEqualTo(2);
        assertThat(firstLine(dir)).isEqualTo("resnet4j: " + folder + " is a folder, not weights: give the checkpoint in it, "
                + folder.resolve("model.safetensors"));

        Path onnx = Files.writeString(tmp.resolve("export.onnx"), "not really onnx");
        CliTest.Result detector = CliTest.run("detect", "--weights", onnx.toString(), png.toString());
        assertThat(detector.code()).as(detector.err()).isEqualTo(2);
        assertThat(firstLine(detector)).startsWith("resnet4j: " + onnx + " is an ONNX export: this command needs the"
                + " checkpoint or state dict it was exported from");
        CliTest.Result damaged = CliTest.run("predict", "--weights", onnx.toString(), png.toString());
        assertThat(damaged.code()).as("a damaged export is a failure, not bad usage").isEqualTo(1);
        assertThat(firstLine(damaged)).startsWith("resnet4j: error: " + onnx + " is not a readable ONNX model");

        Path bad = Files.writeString(tmp.resolve("bad.safetensors"), "hello, not weights");
        CliTest.Result r = CliTest.run("predict", "--weights", bad.toString(), png.toString());
        assertThat(r.code()).as(r.err()).isEqualTo(1);
        assertThat(firstLine(r)).isEqualTo("resnet4j: error: " + bad + " is not a valid safetensors file: it must start"
                + " with the JSON header's length in 8 bytes and then '{'");
    }

    /** A run over nothing printed nothing and exited 0, as if every image had been classified. */
    @Test
    void foldersWithoutImagesAreRefusedBeforeAnyWeightsAreRead(@TempDir Path tmp) throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Files.writeString(Files.createDirectories(tmp.resolve("texts")).resolve("notes.txt"), "no image");
        for (String command : new String[] {"predict", "features"}) {
            CliTest.Result r = CliTest.run(command, "--weights", tmp.resolve("never-read.safetensors").toString(),
                    empty.toString(), tmp.resolve("texts").toString());
            assertThat(r.code()).as(r.err()).isEqualTo(2);
            assertThat(firstLine(r)).isEqualTo("resnet4j: no images to read (" + empty + ": a folder with no .jpg, .jpeg"
                    + " or .png files (searched recursively); " + tmp.resolve("texts") + ": a folder with no .jpg, .jpeg or"
                    + " .png files (searched recursively)); name image files, or folders that hold some");
            assertThat(r.out()).isEmpty();
        }
    }

    @Test
    void anOutputFolderThatCannotBeMadeSaysWhichAndWhy(@TempDir Path tmp) throws Exception {
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        CliTest.Result demo = CliTest.run("demo", "--iterations", "1", "--output", file.resolve("sub/run").toString());
        assertThat(demo.code()).as(demo.err()).isEqualTo(2);
        assertThat(firstLine(demo)).isEqualTo("resnet4j: cannot create the folder " + file.resolve("sub/run") + ": "
                + file.resolve("sub") + " cannot be made (" + file + " is a file, not a folder); choose another place");

        CliTest.Result export = CliTest.run("export", "--weights", tmp.resolve("never-read.pth").toString(), "-o",
                file.resolve("sub/model.onnx").toString());
        assertThat(export.code()).isEqualTo(2);
        assertThat(firstLine(export)).contains("cannot create the folder " + file.resolve("sub"))
                .contains(file + " is a file, not a folder");
    }

    /** The JDK names only "/proc/nope", which read as a missing input. */
    @Test
    void aPlaceThatTakesNoFoldersIsNamedWithItsParent() {
        assumeTrue(Files.isDirectory(Path.of("/proc/self")), "needs Linux's /proc");
        CliTest.Result r = CliTest.run("experiment", "degradation", "--depths", "20", "--iterations", "1",
                "--train-subset", "64", "--output", "/proc/nope/run");
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(firstLine(r)).isEqualTo("resnet4j: cannot create the folder /proc/nope/run: /proc/nope cannot be made"
                + " (/proc takes no new folders: the system answers 'no such file or directory'); choose another place");
    }
}
