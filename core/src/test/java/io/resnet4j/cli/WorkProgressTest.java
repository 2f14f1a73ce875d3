package io.resnet4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** Long evaluations report images done, images/s and time left; short ones stay quiet. */
class WorkProgressTest {

    private final StringWriter text = new StringWriter();
    private long now;

    private WorkProgress progress(boolean terminal) {
        return new WorkProgress(new PrintWriter(text), "eval ten-crop", 1000, terminal, () -> now);
    }

    @Test
    void aLogGetsALineEveryTenSecondsAndAClosingOne() {
        WorkProgress p = progress(false);
        for (int i = 0; i < 100; i++) {
            now += 500_000_000L; // 2 images/s
            p.accept(1);
        }
        p.finish();
        assertThat(text.toString().lines()).containsExactly(
                "eval ten-crop: 20/1,000 images, 2.0 images/s, 0:08:10 left",
                "eval ten-crop: 40/1,000 images, 2.0 images/s, 0:08:00 left",
                "eval ten-crop: 60/1,000 images, 2.0 images/s, 0:07:50 left",
                "eval ten-crop: 80/1,000 images, 2.0 images/s, 0:07:40 left",
                "eval ten-crop: 100/1,000 images, 2.0 images/s, 0:07:30 left",
                "eval ten-crop: 100/1,000 images, 2.0 images/s, 0:07:30 left");
    }

    @Test
    void aShortJobPrintsNothing() {
        WorkProgress p = progress(false);
        now += 3_000_000_000L;
        p.accept(1000);
        p.finish();
        assertThat(text.toString()).isEmpty();
    }

    @Test
    void aTerminalLineIsRedrawnInPlace() {
        WorkProgress p = progress(true);
        now += 300_000_000L;
        p.accept(10);
        p.finish();
        assertThat(text.toString()).startsWith("\reval ten-crop: 10/1,000 images, 33.3 images/s, 0:00:29 left")
                .endsWith("\n");
    }
}
