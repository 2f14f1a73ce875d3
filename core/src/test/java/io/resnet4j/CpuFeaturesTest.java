package io.resnet4j;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CpuFeaturesTest {

    @Test
    void bfloat16IsNativeWithAvx512Bf16OrAmxOnly(@TempDir Path tmp) throws Exception {
        Path avx2 = tmp.resolve("avx2");
        Files.writeString(avx2, "processor\t: 0\nflags\t\t: fpu sse2 avx avx2 fma\n\nprocessor\t: 1\nflags\t\t: fpu\n");
        Set<String> flags = CpuFeatures.readFlags(avx2);
        assertThat(flags).contains("avx2", "fma").doesNotContain("processor");
        assertThat(CpuFeatures.hasBf16(flags)).isFalse();
        assertThat(CpuFeatures.hasBf16(Set.of("avx512f", "avx512_bf16"))).isTrue();
        assertThat(CpuFeatures.hasBf16(Set.of("amx_bf16", "amx_tile"))).isTrue();
        assertThat(CpuFeatures.readFlags(tmp.resolve("missing"))).isEmpty();
    }
}
