package io.resnet4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Operators by self time from a Chrome trace (libtorch's profiler output): events on one thread
 * nest (an aten::conv2d contains its aten::convolution ...), so an operator's self time is its
 * duration minus that of the events directly inside it.
 */
record OperatorProfile(List<Op> ops, double totalSelfUs) {

    record Op(String name, long calls, double selfUs) {}

    record Event(String name, double ts, double dur) {}

    static OperatorProfile read(Path chromeTrace) throws IOException {
        JsonNode root = new ObjectMapper().readTree(chromeTrace.toFile());
        JsonNode events = root.isArray() ? root : root.path("traceEvents");
        Map<String, List<Event>> byThread = new HashMap<>();
        for (JsonNode e : events) {
            if (!"X".equals(e.path("ph").asText()) || !e.has("dur")) {
                continue;
            }
            byThread.computeIfAbsent(e.path("pid").asText() + "/" + e.path("tid").asText(), k -> new ArrayList<>())
                    .add(new Event(e.path("name").asText(), e.path("ts").asDouble(), e.path("dur").asDouble()));
        }
        return fromEvents(byThread.values());
    }

    static OperatorProfile fromEvents(Iterable<List<Event>> threads) {
        Map<String, double[]> acc = new HashMap<>();
        for (List<Event> thread : threads) {
            // Outer events first: by start, longer first when two start together.
            thread.sort(Comparator.comparingDouble(Event::ts).thenComparing(Comparator.comparingDouble(Event::dur).reversed()));
            Deque<double[]> stack = new ArrayDeque<>(); // {end, childTime, index}
            double[] self = new double[thread.size()];
            for (int i = 0; i < thread.size(); i++) {
                Event e = thread.get(i);
                while (!stack.isEmpty() && stack.peek()[0] <= e.ts()) {
                    stack.pop();
                }
                if (!stack.isEmpty()) {
                    self[(int) stack.peek()[2]] -= e.dur();
                }
                self[i] += e.dur();
                stack.push(new double[] {e.ts() + e.dur(), 0, i});
            }
            for (int i = 0; i < thread.size(); i++) {
                double[] a = acc.computeIfAbsent(thread.get(i).name(), k -> new double[2]);
                a[0] += 1;
                a[1] += Math.max(0, self[i]);
            }
        }
        List<Op> ops = new ArrayList<>();
        double total = 0;
        for (Map.Entry<String, double[]> e : acc.entrySet()) {
            ops.add(new Op(e.getKey(), (long) e.getValue()[0], e.getValue()[1]));
            total += e.getValue()[1];
        }
        ops.sort(Comparator.comparingDouble(Op::selfUs).reversed().thenComparing(Op::name));
        return new OperatorProfile(List.copyOf(ops), total);
    }

    /** The top operators: self ms per step, share of all self time, calls per step. */
    String table(int steps, int top) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-44s %12s %7s %10s%n", "operator",
                "self ms/step", "share", "calls/step"));
        for (Op op : ops.subList(0, Math.min(top, ops.size()))) {
            sb.append(String.format(Locale.ROOT, "%-44s %12.2f %6.1f%% %10.1f%n", op.name(), op.selfUs() / 1000 / steps,
                    100 * op.selfUs() / totalSelfUs, (double) op.calls() / steps));
        }
        sb.append(String.format(Locale.ROOT, "%-44s %12.2f%n", "all operators", totalSelfUs / 1000 / steps));
        return sb.toString();
    }
}
