package io.ringline.tests.support;

import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Base of the conformance test classes that run once per backend, on its default spec
 * ({@link Backends#defaultSpecs()}): behaviour that backend options do not change (timers, tasks,
 * threads, start-up and shutdown, selection, tokens), which need not repeat for every option set.
 */
@ParameterizedClass(name = "[{0}]")
@MethodSource("io.ringline.tests.support.Backends#defaultSpecs")
public abstract class OncePerBackendTest extends ConformanceTest {
}
