package io.resnet4j.experiment;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;

/**
 * Writes result files through a temporary sibling and a rename, so a crash mid-write never leaves
 * a truncated table or figure where a later run or a report expects a whole one.
 */
final class Outputs {

    private Outputs() {}

    static void write(Path file, byte[] content) throws IOException {
        io.resnet4j.io.AtomicFiles.write(file, content);
    }

    static void write(Path file, String text) throws IOException {
        write(file, text.getBytes(StandardCharsets.UTF_8));
    }

    static void png(Path file, XYChart chart) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
        write(file, out.toByteArray());
    }

    static void svg(Path file, XYChart chart) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        VectorGraphicsEncoder.saveVectorGraphic(chart, out, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
        write(file, out.toByteArray());
    }
}
