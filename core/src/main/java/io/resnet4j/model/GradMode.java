package io.resnet4j.model;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/**
 * libtorch's autograd switch is per thread and on by default; DJL turns it off only on the thread
 * that happens to start the engine, and its gradient collector restores whatever was there before.
 * On any other thread (a server's request threads, a trainer started after the engine was first
 * touched elsewhere) inference would record graphs for nothing, and an in-place optimiser update on
 * a parameter would be refused. Code that computes outside a gradient collector calls
 * {@link #off()} first.
 */
public final class GradMode {

    private GradMode() {}

    /** Turns gradient recording off on the calling thread (a no-op on engines other than PyTorch). */
    public static void off() {
        if ("PyTorch".equals(Engine.getInstance().getEngineName()) && JniUtils.isGradMode()) {
            JniUtils.setGradMode(false);
        }
    }
}
