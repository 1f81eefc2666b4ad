package io.ringline.tests.support;

import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Base of the conformance test classes that run on every spec of {@link Backends#specs()}: each
 * backend with its defaults and with the option sets that take other data paths (a JUnit class
 * template). Use it for anything that moves bytes.
 */
@ParameterizedClass(name = "[{0}]")
@MethodSource("io.ringline.tests.support.Backends#specs")
public abstract class BackendTest extends ConformanceTest {
}
