package io.resnet4j.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClassMappingTest {

    private static final List<String> CIFAR = List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog",
            "horse", "ship", "truck");

    @Test
    void folderClassesFindTheNetworksOutputsByName() {
        assertThat(ClassMapping.byName(List.of("cat", "dog"), CIFAR, Map.of())).containsExactly(3, 5);
        assertThat(ClassMapping.byName(List.of("car", "dog"), CIFAR, Map.of("car", "automobile"))).containsExactly(1, 5);
    }

    @Test
    void anUnknownClassIsRefusedWithBothLists() {
        assertThatThrownBy(() -> ClassMapping.byName(List.of("cat", "zebra"), CIFAR, Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[zebra] are not classes of the network")
                .hasMessageContaining("folder classes: [cat, zebra]").hasMessageContaining("network classes: [airplane");
    }

    @Test
    void byOrderKeepsTheOldMeaningButNotMoreClassesThanOutputs() {
        assertThat(ClassMapping.byOrder(List.of("a", "b"), 10)).containsExactly(0, 1);
        assertThatThrownBy(() -> ClassMapping.byOrder(List.of("a", "b", "c"), 2)).hasMessageContaining("only 2");
        assertThatThrownBy(() -> ClassMapping.parseRenames("cat")).hasMessageContaining("FOLDER_CLASS=NETWORK_CLASS");
    }
}
