/**
 * The TLS part of the conformance suite: every class runs on every backend spec
 * ({@link io.ringline.tests.support.BackendTest}), the server side on the JDK provider and on
 * Netty's BoringSSL ({@link io.ringline.tests.tls.TlsProviders}) where the provider matters.
 *
 * <ul>
 *   <li>{@link io.ringline.tests.tls.TlsClient}: a JDK {@code SSLSocket} client on every backend
 *       (over {@link io.ringline.tests.tls.PeerSocket} on the in-memory testkit); the test JVM
 *       sets {@code com.sun.net.ssl.requireCloseNotify=true} so a missing close_notify shows.</li>
 *   <li>{@link io.ringline.tests.tls.OpensslProcess}: {@code openssl s_client}/{@code s_server}
 *       as peers (OS sockets only).</li>
 * </ul>
 */
package io.ringline.tests.tls;
