package io.ringline;

import java.security.cert.Certificate;
import java.util.List;
import java.util.Optional;

/**
 * What the TLS handshake of a connection negotiated ({@link Connection#tls()}); immutable.
 *
 * @param protocol            the protocol version, e.g. {@code TLSv1.3}
 * @param cipherSuite         the cipher suite, e.g. {@code TLS_AES_128_GCM_SHA256}
 * @param applicationProtocol the ALPN protocol agreed on, empty if none was
 * @param serverName          the SNI host name the client asked for (on either side), empty if none
 * @param peerCertificates    the peer's certificate chain, own certificate first; empty if the
 *                            peer sent none (a client without client authentication)
 */
public record TlsInfo(String protocol, String cipherSuite, Optional<String> applicationProtocol,
                      Optional<String> serverName, List<Certificate> peerCertificates) {

    /** Copies the certificate list. */
    public TlsInfo {
        peerCertificates = List.copyOf(peerCertificates);
    }
}
