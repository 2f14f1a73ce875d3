package io.resnet4j.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import picocli.CommandLine;

/**
 * Runs resnet4j commands on hostile files in a JVM of its own (started by {@code BoundedMemoryTest}
 * with a small heap), one command per argument group separated by "--", printing one line per
 * command: exit code, time, peak heap and the first line of stderr. A memory amplification shows
 * up as an OutOfMemoryError or a crash of this JVM, not of the test's.
 */
public final class HostileLoadMain {

    private HostileLoadMain() {}

    public static void main(String[] args) throws Exception {
        int start = 0;
        for (int i = 0; i <= args.length; i++) {
            if (i == args.length || args[i].equals("--")) {
                run(Arrays.copyOfRange(args, start, i));
                start = i + 1;
            }
        }
        System.out.println("RSS_PEAK_MB " + rssPeakMb());
    }

    private static void run(String[] command) {
        ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.newCommandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        long t0 = System.nanoTime();
        int code = cl.execute(command);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        long heapPeak = ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP)
                .mapToLong(p -> p.getPeakUsage().getUsed()).sum() >> 20;
        System.out.println("RESULT exit=" + code + " ms=" + ms + " heapPeakMB=" + heapPeak + " out="
                + out.toString().replace('\n', '|') + " err=" + err.toString().replace('\n', '|'));
    }

    /** The process's peak resident memory (VmHWM), native memory included. */
    private static long rssPeakMb() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) >> 10;
            }
        }
        return -1;
    }
}
