package io.resnet4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code resnet4j serve} in-process: startup lines, several models, the stop signal's exit code, and usage errors. */
class ServeCommandTest {

    static String weights() throws Exception {
        return Path.of(ServeCommandTest.class.getResource("/weights/resnet20_wrapped.pth").toURI()).toString();
    }

    @Test
    void servesSeveralModelsUntilStoppedThenExitsZero() throws Exception {
        CommandLine cl = Main.newCommandLine();
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(new StringWriter(), true));
        ServeCommand serve = (ServeCommand) cl.getSubcommands().get("serve").getCommand();
        String w = weights();
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cl.execute("serve", "--port", "0",
                "--weights", w, "--weights", w, "--name", "second", "--max-batch", "4", "--max-body", "1MB"));
        String url = awaitUrl(out, exit);
        assertThat(out.toString()).contains("model resnet20: resnet20, 10 classes, 32x32 input, onnxruntime",
                "model second: resnet20");
        HttpClient http = HttpClient.newHttpClient();
        String models = http.send(HttpRequest.newBuilder(URI.create(url + "v1/models")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(models).contains("\"name\":\"resnet20\"", "\"name\":\"second\"", "\"max_batch\":4");
        HttpResponse<String> big = http.send(HttpRequest.newBuilder(URI.create(url + "v1/models/second/predict"))
                .header("Content-Type", "image/png").POST(HttpRequest.BodyPublishers.ofByteArray(new byte[(1 << 20) + 1]))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(big.statusCode()).isEqualTo(413);
        serve.stopRequested.countDown();
        assertThat(exit.get(60, TimeUnit.SECONDS)).isZero();
        assertThat(out.toString()).contains("stopping");
    }

    private static String awaitUrl(StringWriter out, CompletableFuture<Integer> exit) throws Exception {
        Pattern serving = Pattern.compile("serving (http://\\S+/)");
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < end) {
            Matcher m = serving.matcher(out.toString());
            if (m.find()) {
                return m.group(1).replaceAll("[;,]$", "");
            }
            if (exit.isDone()) {
                throw new AssertionError("serve exited with " + exit.get() + ": " + out);
            }
            Thread.sleep(50);
        }
        throw new AssertionError("serve printed no URL: " + out);
    }

    @Test
    void refusesToServeOpenlyOffLoopback() throws Exception {
        CliTest.Result r = CliTest.run("serve", "--weights", weights(), "--host", "0.0.0.0", "--port", "0");
        assertThat(r.code()).isEqualTo(Main.EXIT_USAGE);
        assertThat(r.err()).contains("--auth-token-file").contains("--insecure");
    }

    @Test
    void refusesATooShortTokenAndClashingNames(@TempDir Path dir) throws Exception {
        Path token = dir.resolve("token");
        Files.writeString(token, "abc\n");
        CliTest.Result shortToken = CliTest.run("serve", "--weights", weights(), "--auth-token-file", token.toString());
        assertThat(shortToken.code()).isEqualTo(Main.EXIT_USAGE);
        assertThat(shortToken.err()).contains("16 characters");
        CliTest.Result clash = CliTest.run("serve", "--port", "0", "--weights", weights(), "--name", "a", "--weights",
                weights(), "--name", "a");
        assertThat(clash.code()).isEqualTo(Main.EXIT_USAGE);
        assertThat(clash.err()).contains("'a'").contains("--name");
        CliTest.Result badName = CliTest.run("serve", "--port", "0", "--weights", weights(), "--name", "../x");
        assertThat(badName.code()).isEqualTo(Main.EXIT_USAGE);
        assertThat(badName.err()).contains("model name '../x'");
    }

    @Test
    void readsSizesInBinaryUnits() {
        assertThat(ServeCommand.parseSize("20MB")).isEqualTo(20L << 20);
        assertThat(ServeCommand.parseSize("512kb")).isEqualTo(512L << 10);
        assertThat(ServeCommand.parseSize("1GiB")).isEqualTo(1L << 30);
        assertThat(ServeCommand.parseSize("1000")).isEqualTo(1000);
        for (String bad : new String[] {"", "MB", "-1MB", "1.5MB", "0", "20TB"}) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> ServeCommand.parseSize(bad)).as(bad)
                    .isInstanceOf(UsageException.class);
        }
    }
}
