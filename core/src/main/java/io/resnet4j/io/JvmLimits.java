package io.resnet4j.io;

import java.util.Locale;

/**
 * The JVM's own limits as users meet them: out of memory and a thread stack too small. Both are
 * errors the JVM throws past every handler for exceptions, so the places that catch them (the
 * command line, the weights loader, per image) describe them here, with the setting that fixes them.
 */
public final class JvmLimits {

    private JvmLimits() {}

    /** One line: what ran out, the current limit, and the RESNET4J_JAVA_OPTS setting that raises it. */
    public static String describe(VirtualMachineError error) {
        if (error instanceof StackOverflowError) {
            return "nesting too deep for the thread stack; if the input is genuine, raise the stack with"
                    + " RESNET4J_JAVA_OPTS=-Xss64m";
        }
        long maxMb = Runtime.getRuntime().maxMemory() >> 20;
        return String.format(Locale.ROOT, "out of memory (heap limit %,d MB); raise it with RESNET4J_JAVA_OPTS=-Xmx%dg"
                + " or lower --batch-size", maxMb, Math.max(2, 2 * ((maxMb + 1023) >> 10)));
    }
}
