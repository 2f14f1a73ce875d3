package io.resnet4j.train;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A process that waits under {@link StopSignals} for StopSignalsProcessTest: arguments are the
 * grace period in milliseconds and "clean" (the job stops when asked) or "stuck" (it never does).
 */
public final class StopSignalsChild {

    private StopSignalsChild() {}

    public static void main(String[] args) throws Exception {
        Duration grace = Duration.ofMillis(Long.parseLong(args[0]));
        boolean stuck = args[1].equals("stuck");
        CountDownLatch stopped = new CountDownLatch(1);
        StopSignals.Job job = new StopSignals.Job() {
            @Override
            public void stop(StopSignals.Stop signal) {
                System.out.println("stop " + signal);
                if (!stuck) {
                    stopped.countDown();
                }
            }

            @Override
            public void halting(String reason) {
                System.out.println("halting " + reason);
            }
        };
        int code;
        try (StopSignals signals = StopSignals.install(grace, job, m -> System.out.println("said " + m))) {
            System.out.println("ready");
            if (!stopped.await(60, TimeUnit.SECONDS)) {
                System.out.println("no signal came");
            }
            code = signals.exitCode();
        }
        System.out.println("stopped cleanly");
        System.exit(code);
    }
}
