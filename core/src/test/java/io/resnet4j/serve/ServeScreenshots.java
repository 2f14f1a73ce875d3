package io.resnet4j.serve;

import io.resnet4j.data.CifarData;
import io.resnet4j.data.CifarSample;
import io.resnet4j.data.Split;
import io.resnet4j.inference.ImageClassifier;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import javax.imageio.ImageIO;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;

/**
 * Takes the screenshots in docs/serve/ with the browser tests' Selenium setup, run by hand:
 * {@code ServeScreenshots OUT_DIR WEIGHTS RUNS_DIR}. The classify page gets a few test images of
 * the embedded CIFAR-format sample (the demo's data); the dashboard shows every run under RUNS_DIR.
 */
public final class ServeScreenshots {

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        try (ImageClassifier classifier = ImageClassifier.open(args[1]);
                InferenceServer server = InferenceServer.builder().model("demo-resnet20", classifier).port(0)
                        .runs(Path.of(args[2])).start();
                BrowserSession browser = BrowserSession.open(1200, 820)) {
            classifyPage(browser, server, sampleImages(Files.createTempDirectory("resnet4j-shots"), 6));
            browser.screenshot(out.resolve("classify.png"));
            runsPage(browser, server);
            browser.screenshot(out.resolve("runs.png"));
        }
    }

    private static void classifyPage(BrowserSession browser, InferenceServer server, List<Path> images)
            throws Exception {
        browser.driver.get(server.url());
        browser.waiting(20).until(d -> !d.findElements(By.cssSelector("#model option")).isEmpty());
        WebElement input = browser.driver.findElement(By.id("files"));
        JavascriptExecutor js = (JavascriptExecutor) browser.driver;
        js.executeScript("arguments[0].hidden = false", input);
        input.sendKeys(String.join("\n", images.stream().map(p -> p.toAbsolutePath().toString()).toList()));
        js.executeScript("arguments[0].hidden = true", input);
        browser.waiting(60).until(d -> d.findElements(By.cssSelector(".card .bar")).size() == 5 * images.size());
        // Thumbnails of 32x32 images read better unsmoothed.
        js.executeScript("document.querySelectorAll('.card img').forEach(i => i.style.imageRendering = 'pixelated')");
    }

    private static void runsPage(BrowserSession browser, InferenceServer server) throws Exception {
        browser.driver.get(server.url() + "runs");
        browser.waiting(20).until(d -> !d.findElements(By.cssSelector("#runs tr")).isEmpty());
        for (WebElement box : browser.driver.findElements(By.cssSelector("#runs input[type=checkbox]"))) {
            if (!box.isSelected()) {
                box.click();
                Thread.sleep(300);
            }
        }
        browser.waiting(20).until(d -> d.findElements(By.cssSelector("#error-chart path[data-kind=val]")).size()
                == d.findElements(By.cssSelector("#runs tr")).size());
        Thread.sleep(2500);
    }

    /** The first test images of the embedded sample, one per class, as PNG files named after their class. */
    private static List<Path> sampleImages(Path dir, int count) throws Exception {
        CifarData test = CifarSample.load(EnumSet.of(Split.TEST)).get(Split.TEST);
        List<Path> files = new ArrayList<>();
        boolean[] taken = new boolean[test.numClasses()];
        for (int i = 0; i < test.size() && files.size() < count; i++) {
            int label = test.label(i);
            if (taken[label]) {
                continue;
            }
            taken[label] = true;
            BufferedImage img = new BufferedImage(CifarData.SIDE, CifarData.SIDE, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < CifarData.SIDE; y++) {
                for (int x = 0; x < CifarData.SIDE; x++) {
                    img.setRGB(x, y, test.pixel(i, 0, y, x) << 16 | test.pixel(i, 1, y, x) << 8 | test.pixel(i, 2, y, x));
                }
            }
            Path file = dir.resolve(test.classNames().get(label) + ".png");
            ImageIO.write(img, "png", file.toFile());
            files.add(file);
        }
        return files;
    }
}
