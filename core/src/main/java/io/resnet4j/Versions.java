package io.resnet4j;

/**
 * The versions a run or an export records for provenance: resnet4j's own (from the jar manifest,
 * so it never drifts from the build), DJL's and the pinned libtorch's.
 */
public final class Versions {

    /** The libtorch release the pinned {@code pytorch-native} Maven artifact carries. */
    public static final String PYTORCH_NATIVE = "2.7.1";

    private Versions() {}

    /** The resnet4j version, or "development" when run from classes outside a jar. */
    public static String resnet4j() {
        String v = Versions.class.getPackage().getImplementationVersion();
        return v == null ? "development" : v;
    }

    /** DJL's version as its engine reports it. */
    public static String djl() {
        return ai.djl.engine.Engine.getDjlVersion();
    }
}
