package io.ringline.tests.support;

import io.ringline.spi.Capability;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares what a conformance test (a method) or every test of a class needs beyond the contract
 * every backend fulfils. {@link ConformanceTest} reads it before each test: on a spec whose backend
 * does not declare every capability ({@code BackendProvider.capabilities()}) the test is skipped
 * with a message naming the spec and the missing capabilities, never silently; an io_uring spec
 * with {@code RINGLINE_REQUIRE_IOURING=1} fails instead.
 *
 * <p>A test needs {@link Capability#OS_SOCKETS} when it uses {@link java.net.Socket} details
 * (addresses, a {@code ServerSocket} peer, the kernel's accept queue), external processes, file
 * descriptors or {@code /proc}.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface Requires {

    /** {@return the capabilities the test needs} */
    Capability[] value();

    /** {@return why, for the skip message (e.g. "counts file descriptors")} */
    String why() default "";
}
