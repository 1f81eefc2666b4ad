package io.ringline.internal;

import io.ringline.Config;
import io.ringline.HandlerFactory;
import io.ringline.Runtime;
import io.ringline.spi.RuntimeFactory;

/** The core's {@link RuntimeFactory}: found by {@link Runtime#start} with {@link java.util.ServiceLoader}. */
public final class CoreRuntimeFactory implements RuntimeFactory {

    @Override
    public Runtime start(Config config, HandlerFactory factory) {
        return RuntimeImpl.start(config, factory);
    }
}
