package io.resnet4j.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.assertThatNoException;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The binding policy and the token check, without binding anything but loopback. */
class AccessPolicyTest {

    static final String TOKEN = "3f9c2a7b1e5d4c8a9b0e";

    @Test
    void loopbackNeedsNoToken() {
        for (String host : new String[] {"127.0.0.1", "127.0.0.2", "localhost", "::1", "0:0:0:0:0:0:0:1"}) {
            assertThat(AccessPolicy.isLoopback(host)).as(host).isTrue();
            assertThatNoException().isThrownBy(() -> AccessPolicy.checkBinding(host, AccessPolicy.open(), false));
        }
    }

    @Test
    void anyOtherAddressNeedsATokenOrInsecure() {
        for (String host : new String[] {"0.0.0.0", "::", "192.168.1.20", "10.0.0.1", "8.8.8.8"}) {
            assertThat(AccessPolicy.isLoopback(host)).as(host).isFalse();
            assertThatThrownBy(() -> AccessPolicy.checkBinding(host, AccessPolicy.open(), false))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--auth-token-file")
                    .hasMessageContaining("--insecure");
            assertThatNoException().isThrownBy(() -> AccessPolicy.checkBinding(host, AccessPolicy.bearer(TOKEN), false));
            assertThatNoException().isThrownBy(() -> AccessPolicy.checkBinding(host, AccessPolicy.open(), true));
        }
    }

    @Test
    void onlyTheExactBearerTokenIsAllowed() {
        AccessPolicy policy = AccessPolicy.bearer(TOKEN);
        assertThat(policy.requiresToken()).isTrue();
        assertThat(policy.allows("Bearer " + TOKEN)).isTrue();
        assertThat(policy.allows("bearer " + TOKEN)).as("the scheme is case-insensitive").isTrue();
        assertThat(policy.allows(null)).isFalse();
        assertThat(policy.allows("")).isFalse();
        assertThat(policy.allows(TOKEN)).as("no scheme").isFalse();
        assertThat(policy.allows("Basic " + TOKEN)).isFalse();
        assertThat(policy.allows("Bearer " + TOKEN.substring(1))).isFalse();
        assertThat(policy.allows("Bearer " + TOKEN + "0")).isFalse();
        assertThat(policy.allows("Bearer " + TOKEN.toUpperCase())).isFalse();
        assertThat(AccessPolicy.open().allows(null)).isTrue();
    }

    @Test
    void aTokenFileIsReadWithoutItsNewlineAndShortTokensAreRefused(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("token");
        Files.writeString(file, TOKEN + "\n");
        assertThat(AccessPolicy.bearerFromFile(file).allows("Bearer " + TOKEN)).isTrue();
        Files.writeString(file, "short\n");
        assertThatThrownBy(() -> AccessPolicy.bearerFromFile(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("16 characters");
    }
}
