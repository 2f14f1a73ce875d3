package io.resnet4j.cli;

import java.util.concurrent.Callable;
import sun.misc.Signal;

/**
 * Turns the first Ctrl-C (SIGINT) into a polite stop request, so a training run writes its
 * checkpoint before exiting; a second Ctrl-C exits at once.
 */
final class SigintHandler {
    private SigintHandler() {}

    static <T> T run(Runnable onInterrupt, Callable<T> work) throws Exception {
        Signal sigint = new Signal("INT");
        final boolean[] asked = {false};
        var previous = Signal.handle(sigint, s -> {
            if (asked[0]) {
                System.err.println("\nresnet4j: interrupted again, exiting without a checkpoint");
                Runtime.getRuntime().halt(130);
            }
            asked[0] = true;
            System.err.println("\nresnet4j: interrupted; writing a checkpoint (Ctrl-C again to exit at once)");
            onInterrupt.run();
        });
        try {
            return work.call();
        } finally {
            Signal.handle(sigint, previous);
        }
    }
}
