package io.resnet4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What this CPU's instruction set offers the kernels (from /proc/cpuinfo on Linux): whether
 * bfloat16 arithmetic runs natively (AVX512_BF16 or AMX), and the vector extensions that make
 * results differ between hosts (AVX2 and AVX-512 kernels round differently).
 */
public final class CpuFeatures {

    private static final Set<String> FLAGS = readFlags(Path.of("/proc/cpuinfo"));

    private CpuFeatures() {}

    /** Whether the CPU computes in bfloat16 natively; without it libtorch emulates bf16, slower than float32. */
    public static boolean hasBf16() {
        return hasBf16(FLAGS);
    }

    static boolean hasBf16(Set<String> flags) {
        return flags.contains("avx512_bf16") || flags.contains("amx_bf16");
    }

    /** The vector extensions present, e.g. "avx512f avx512_vnni avx512_bf16" or "avx2"; "unknown" off Linux. */
    public static String summary() {
        String s = FLAGS.stream().filter(f -> f.startsWith("avx512") || f.equals("avx2") || f.startsWith("amx"))
                .sorted().collect(Collectors.joining(" "));
        return FLAGS.isEmpty() ? "unknown" : s.isEmpty() ? "no AVX2" : s;
    }

    static Set<String> readFlags(Path cpuinfo) {
        try {
            return Files.readAllLines(cpuinfo).stream().filter(l -> l.startsWith("flags")).findFirst()
                    .map(l -> Arrays.stream(l.substring(l.indexOf(':') + 1).trim().split("\\s+")).collect(
                            Collectors.toUnmodifiableSet()))
                    .orElse(Set.of());
        } catch (IOException | RuntimeException e) {
            return Set.of();
        }
    }
}
