package io.resnet4j.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.resnet4j.inference.ImageClassifier;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The two pages in a real browser: a photo uploaded on the classify page shows the server's top-5
 * as bars, and the runs dashboard draws a run's curves and extends them while the run writes rows.
 */
class ServePagesBrowserTest {

    static final Path SCREENSHOTS = Path.of("target", "serve-screenshots");

    static ImageClassifier classifier;
    static InferenceServer server;
    static Path runs;

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        BrowserSession.assumeBrowser();
        classifier = ServeTestData.classifier();
        runs = Files.createDirectory(dir.resolve("runs"));
        server = InferenceServer.builder().model("cifar", classifier).model("cifar-copy", classifier).port(0)
                .runs(runs).start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (classifier != null) {
            classifier.close();
        }
    }

    @Test
    void anUploadedPhotoShowsTheServersTopFiveAsBars() throws Exception {
        Path photo = ServeTestData.photos().get(1);
        JsonNode expected = ServeTestData.json(ServeTestData.post(server.url() + "v1/models/cifar-copy/predict?top=5",
                "image/png", Files.readAllBytes(photo))).get("predictions");
        try (BrowserSession browser = BrowserSession.open(1200, 800)) {
            browser.driver.get(server.url());
            browser.waiting(20).until(d -> d.findElements(By.cssSelector("#model option")).size() == 2);
            new Select(browser.driver.findElement(By.id("model"))).selectByValue("cifar-copy");
            WebElement input = browser.driver.findElement(By.id("files"));
            ((JavascriptExecutor) browser.driver).executeScript("arguments[0].hidden = false", input);
            input.sendKeys(photo.toAbsolutePath().toString());
            ((JavascriptExecutor) browser.driver).executeScript("arguments[0].hidden = true", input);
            browser.waiting(30).until(d -> d.findElements(By.cssSelector(".card .bar")).size() == 5);
            List<WebElement> bars = browser.driver.findElements(By.cssSelector(".card .bar"));
            for (int i = 0; i < 5; i++) {
                JsonNode p = expected.get(i);
                assertThat(bars.get(i).findElement(By.cssSelector(".name")).getText()).isEqualTo(p.get("name").asText());
                assertThat(bars.get(i).findElement(By.cssSelector(".pct")).getText())
                        .isEqualTo(String.format(Locale.ROOT, "%.1f%%", 100 * p.get("probability").asDouble()));
                String style = bars.get(i).findElement(By.cssSelector(".fill")).getAttribute("style");
                double width = Double.parseDouble(style.replaceAll(".*width: ([0-9.]+)%.*", "$1"));
                assertThat(width).as("bar length").isCloseTo(100 * p.get("probability").asDouble(),
                        org.assertj.core.data.Offset.offset(0.051));
            }
            String latency = browser.driver.findElement(By.cssSelector(".card .latency")).getText();
            assertThat(latency).startsWith("cifar-copy").contains("ms round trip").contains("ms in the server");
            assertThat(browser.driver.findElement(By.cssSelector(".card .file")).getText()).isEqualTo("photo1.png");
            browser.screenshot(SCREENSHOTS.resolve("classify.png"));
        }
    }

    @Test
    void theDashboardDrawsARunsCurvesAndExtendsThemWhileItTrains() throws Exception {
        Path run = Files.createDirectories(runs.resolve("resnet20-live"));
        Files.writeString(run.resolve("run.json"), "{\"model\": \"resnet20\", \"status\": \"running\"}");
        Path csv = run.resolve("metrics.csv");
        AtomicBoolean training = new AtomicBoolean(true);
        Thread writer = new Thread(() -> writeRows(csv, training), "fake-training");
        writer.start();
        try (BrowserSession browser = BrowserSession.open(1200, 900)) {
            browser.driver.get(server.url() + "runs");
            browser.waiting(20).until(d -> points(d, "train") >= 3);
            int seen = points(browser.driver, "train");
            browser.waiting(20).until(d -> points(d, "train") > seen + 2);
            WebElement train = browser.driver.findElement(By.cssSelector("#error-chart path[data-kind=train]"));
            WebElement val = browser.driver.findElement(By.cssSelector("#error-chart path[data-kind=val]"));
            assertThat(train.getAttribute("stroke-dasharray")).as("training dashed").isNotBlank();
            assertThat(val.getAttribute("stroke-dasharray")).as("validation solid").isNull();
            assertThat(points(browser.driver, "val")).isPositive();
            String errorChart = browser.driver.findElement(By.id("error-chart")).getText();
            assertThat(errorChart).contains("iterations").contains("error (%)");
            assertThat(browser.driver.findElement(By.id("loss-chart")).getText()).contains("loss (log scale)");
            browser.driver.findElement(By.id("log-loss")).click();
            assertThat(browser.driver.findElement(By.id("loss-chart")).getText()).doesNotContain("log scale");
            WebElement row = browser.driver.findElement(By.cssSelector("tr[data-run='resnet20-live']"));
            assertThat(row.getText()).contains("resnet20").contains("running");
            browser.waiting(10).until(d -> !d.findElement(By.cssSelector("tr[data-run='resnet20-live'] .iteration"))
                    .getText().isEmpty());
            browser.screenshot(SCREENSHOTS.resolve("runs.png"));
        } finally {
            training.set(false);
            writer.join(5000);
        }
    }

    private static int points(org.openqa.selenium.WebDriver d, String kind) {
        List<WebElement> paths = d.findElements(By.cssSelector("#error-chart path[data-kind=" + kind + "]"));
        return paths.isEmpty() ? 0 : Integer.parseInt(paths.get(0).getAttribute("data-points"));
    }

    /** What a training run does: a header, then a row every 250 ms, validation every fourth row. */
    private static void writeRows(Path csv, AtomicBoolean training) {
        try (BufferedWriter out = Files.newBufferedWriter(csv, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            out.write("iteration,epoch,lr,train_loss,train_error,val_error,images_per_s\n");
            for (int i = 1; i <= 200 && training.get(); i++) {
                double error = 0.9 * Math.exp(-i / 40.0) + 0.08;
                out.write(String.format(Locale.ROOT, "%d,%d,0.1,%.5f,%.5f,%s,410.0%n", i * 50, i / 10,
                        2.3 * Math.exp(-i / 30.0) + 0.2, error, i % 4 == 0 ? String.format(Locale.ROOT, "%.5f",
                                error + 0.05) : ""));
                out.flush();
                Thread.sleep(250);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
