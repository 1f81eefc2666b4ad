package io.ringline;

import io.ringline.spi.RuntimeFactory;

import java.util.ServiceLoader;

/** Finds the core once, through {@link ServiceLoader}, so that {@link Runtime} does not depend on its classes. */
final class CoreLocator {

    static final RuntimeFactory FACTORY = ServiceLoader.load(RuntimeFactory.class, CoreLocator.class.getClassLoader())
            .findFirst().orElseThrow(() -> new IllegalStateException(
                    "no io.ringline.spi.RuntimeFactory found: the ringline-api jar's META-INF/services entry is missing"));

    private CoreLocator() {
    }
}
