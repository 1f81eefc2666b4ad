package io.ringline.internal;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds JDK {@link SSLContext}s from PEM files ({@link io.ringline.TlsConfig#server(Path, Path)},
 * {@link io.ringline.TlsConfig#clientTrusting(Path)}). Errors are {@link IllegalArgumentException}s
 * naming the file and what it holds. Thread-safe (stateless).
 */
public final class PemFiles {

    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----([^-]*)-----END \\1-----");
    /** The PKCS#8 header of an RSA key, before the PKCS#1 bytes' length (rsaEncryption, NULL params). */
    private static final byte[] RSA_ALGORITHM = {
            0x02, 0x01, 0x00, 0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};

    private PemFiles() {
    }

    /** {@return a TLS context serving {@code chainFile}'s certificates with {@code keyFile}'s key} */
    public static SSLContext serverContext(Path chainFile, Path keyFile) {
        List<Certificate> chain = certificates(chainFile);
        PrivateKey key = privateKey(keyFile);
        checkKeyMatches(chain.get(0), key, chainFile, keyFile);
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            char[] pw = new char[0];
            ks.setKeyEntry("server", key, pw, chain.toArray(new Certificate[0]));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, pw);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("cannot use the key in " + keyFile + " with the certificates in "
                    + chainFile + ": " + e.getMessage(), e);
        }
    }

    /**
     * Fails unless {@code key} is the private key of {@code certificate}: signs a probe with the
     * key and verifies it with the certificate's public key, so a mismatched pair is refused at
     * start instead of failing every handshake. RSASSA-PSS keys (which need explicit parameters)
     * are not probed.
     *
     * @throws IllegalArgumentException naming both files if they do not belong together
     */
    static void checkKeyMatches(Certificate certificate, PrivateKey key, Path chainFile, Path keyFile) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "Ed448", "EdDSA" -> key.getAlgorithm();
            default -> null;
        };
        if (algorithm == null) {
            return;
        }
        byte[] probe = "ringline key check".getBytes(StandardCharsets.US_ASCII);
        boolean matches;
        try {
            java.security.Signature signer = java.security.Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            java.security.Signature verifier = java.security.Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            matches = verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            matches = false; // e.g. an EC key against an RSA certificate
        }
        if (!matches) {
            throw new IllegalArgumentException("the private key in " + keyFile + " (" + key.getAlgorithm()
                    + ") does not belong to the first certificate in " + chainFile + " ("
                    + certificate.getPublicKey().getAlgorithm() + " key): every handshake would fail");
        }
    }

    /** {@return a TLS client context trusting exactly the certificates in {@code file}} */
    public static SSLContext clientContext(Path file) {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, trustManagers(file), null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot trust the certificates in " + file + ": " + e.getMessage(), e);
        }
    }

    /** {@return trust managers trusting exactly the certificates in {@code file}} */
    public static javax.net.ssl.TrustManager[] trustManagers(Path file) {
        List<Certificate> certs = certificates(file);
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            for (int i = 0; i < certs.size(); i++) {
                ks.setCertificateEntry("trusted-" + i, certs.get(i));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            return tmf.getTrustManagers();
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("cannot trust the certificates in " + file + ": " + e.getMessage(), e);
        }
    }

    /** {@return the X.509 certificates in a PEM file, in file order} */
    public static List<Certificate> certificates(Path file) {
        String pem = read(file);
        List<Certificate> out = new ArrayList<>();
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            Matcher m = BLOCK.matcher(pem);
            while (m.find()) {
                if (m.group(1).equals("CERTIFICATE")) {
                    out.add(cf.generateCertificate(new ByteArrayInputStream(decode(file, m.group(2)))));
                }
            }
        } catch (CertificateException e) {
            throw new IllegalArgumentException("bad certificate in " + file + ": " + e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no '-----BEGIN CERTIFICATE-----' block in " + file + " (found: " + labels(pem) + ")");
        }
        return out;
    }

    /** {@return the unencrypted private key in a PEM file (PKCS#8 RSA/EC/EdDSA/RSASSA-PSS, or PKCS#1 RSA)} */
    public static PrivateKey privateKey(Path file) {
        String pem = read(file);
        Matcher m = BLOCK.matcher(pem);
        while (m.find()) {
            String label = m.group(1);
            switch (label) {
                case "PRIVATE KEY" -> {
                    return pkcs8(file, decode(file, m.group(2)));
                }
                case "RSA PRIVATE KEY" -> {
                    return pkcs8(file, rsaPkcs1ToPkcs8(decode(file, m.group(2))));
                }
                case "ENCRYPTED PRIVATE KEY" -> throw new IllegalArgumentException("the private key in " + file
                        + " is encrypted; decrypt it: openssl pkcs8 -in " + file + " -out key.pem");
                case "EC PRIVATE KEY" -> throw new IllegalArgumentException("the private key in " + file
                        + " is a SEC1 EC key; convert it to PKCS#8: openssl pkcs8 -topk8 -nocrypt -in " + file + " -out key.pem");
                default -> {
                    // not a key: look further
                }
            }
        }
        throw new IllegalArgumentException("no '-----BEGIN PRIVATE KEY-----' block in " + file + " (found: " + labels(pem) + ")");
    }

    private static PrivateKey pkcs8(Path file, byte[] der) {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : new String[]{"RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (InvalidKeySpecException | java.security.NoSuchAlgorithmException e) {
                // try the next algorithm
            }
        }
        throw new IllegalArgumentException("the PKCS#8 key in " + file + " is not RSA, EC, EdDSA or RSASSA-PSS");
    }

    /** Wraps PKCS#1 RSAPrivateKey bytes into a PKCS#8 PrivateKeyInfo. */
    private static byte[] rsaPkcs1ToPkcs8(byte[] pkcs1) {
        byte[] octets = derHeader(0x04, pkcs1.length);
        int bodyLength = RSA_ALGORITHM.length + octets.length + pkcs1.length;
        byte[] seq = derHeader(0x30, bodyLength);
        byte[] out = new byte[seq.length + bodyLength];
        int at = 0;
        System.arraycopy(seq, 0, out, at, seq.length);
        at += seq.length;
        System.arraycopy(RSA_ALGORITHM, 0, out, at, RSA_ALGORITHM.length);
        at += RSA_ALGORITHM.length;
        System.arraycopy(octets, 0, out, at, octets.length);
        at += octets.length;
        System.arraycopy(pkcs1, 0, out, at, pkcs1.length);
        return out;
    }

    private static byte[] derHeader(int tag, int length) {
        if (length < 0x80) {
            return new byte[]{(byte) tag, (byte) length};
        }
        int n = length > 0xffffff ? 4 : length > 0xffff ? 3 : length > 0xff ? 2 : 1;
        byte[] h = new byte[2 + n];
        h[0] = (byte) tag;
        h[1] = (byte) (0x80 | n);
        for (int i = 0; i < n; i++) {
            h[2 + i] = (byte) (length >>> (8 * (n - 1 - i)));
        }
        return h;
    }

    private static byte[] decode(Path file, String base64) {
        try {
            return Base64.getMimeDecoder().decode(base64.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad base64 in a PEM block of " + file + ": " + e.getMessage(), e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new IllegalArgumentException("PEM file " + file + " is not ASCII text (a DER file? convert it with openssl)", e);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read PEM file " + file + ": " + e, e);
        }
    }

    private static List<String> labels(String pem) {
        List<String> labels = new ArrayList<>();
        Matcher m = BLOCK.matcher(pem);
        while (m.find()) {
            labels.add(m.group(1));
        }
        return labels;
    }
}
