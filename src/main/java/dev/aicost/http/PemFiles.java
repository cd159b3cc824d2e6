package dev.aicost.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PEM certificates and private keys as Go's {@code tls.LoadX509KeyPair} reads them, so the files
 * that work for other exporters work here: certificate chains, and unencrypted keys in PKCS#8
 * ({@code PRIVATE KEY}: RSA, EC, Ed25519), PKCS#1 ({@code RSA PRIVATE KEY}) or SEC1 ({@code EC
 * PRIVATE KEY}). Error messages name the file and the problem, never key material.
 */
final class PemFiles {
  private static final Pattern BLOCK =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]*?)-----END \\1-----");
  private static final byte[] OID_RSA = {
    0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01
  };
  private static final byte[] OID_EC = {
    0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01
  };

  private PemFiles() {}

  static List<X509Certificate> certificates(Path file)
      throws GeneralSecurityException, IOException {
    List<X509Certificate> out = new ArrayList<>();
    CertificateFactory cf = CertificateFactory.getInstance("X.509");
    for (Block b : blocks(file)) {
      if (!b.type.equals("CERTIFICATE")) continue;
      try (InputStream in = new java.io.ByteArrayInputStream(b.der)) {
        out.add((X509Certificate) cf.generateCertificate(in));
      } catch (GeneralSecurityException e) {
        throw new GeneralSecurityException(
            file + ": a CERTIFICATE block does not parse: " + e.getMessage());
      }
    }
    if (out.isEmpty()) throw new GeneralSecurityException(file + ": no PEM CERTIFICATE block");
    return out;
  }

  static PrivateKey privateKey(Path file) throws GeneralSecurityException, IOException {
    try {
      return readPrivateKey(file);
    } catch (IndexOutOfBoundsException e) {
      throw new GeneralSecurityException(file + ": the private key is not valid DER");
    }
  }

  private static PrivateKey readPrivateKey(Path file) throws GeneralSecurityException, IOException {
    for (Block b : blocks(file)) {
      switch (b.type) {
        case "PRIVATE KEY" -> {
          return pkcs8(file, b.der);
        }
        case "RSA PRIVATE KEY" -> {
          return pkcs8(
              file, privateKeyInfo(sequence(concat(OID_RSA, new byte[] {0x05, 0x00})), b.der));
        }
        case "EC PRIVATE KEY" -> {
          byte[] curve = sec1Curve(file, b.der);
          return pkcs8(file, privateKeyInfo(sequence(concat(OID_EC, curve)), b.der));
        }
        case "ENCRYPTED PRIVATE KEY" ->
            throw new GeneralSecurityException(
                file
                    + ": the private key is encrypted; the exporter needs an unencrypted key file (readable by its user only)");
        default -> {
          /* parameters and other blocks: skip */
        }
      }
    }
    throw new GeneralSecurityException(
        file + ": no PEM private key block (PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)");
  }

  private static PrivateKey pkcs8(Path file, byte[] der) throws GeneralSecurityException {
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
    for (String alg : List.of("RSA", "EC", "Ed25519", "Ed448")) {
      try {
        return KeyFactory.getInstance(alg).generatePrivate(spec);
      } catch (GeneralSecurityException e) {
        // try the next algorithm
      }
    }
    throw new GeneralSecurityException(
        file + ": the private key is not an RSA, EC or EdDSA key this JVM can read");
  }

  /** PKCS#8 PrivateKeyInfo: SEQUENCE { INTEGER 0, AlgorithmIdentifier, OCTET STRING key }. */
  private static byte[] privateKeyInfo(byte[] algorithm, byte[] key) {
    return sequence(concat(concat(new byte[] {0x02, 0x01, 0x00}, algorithm), tlv(0x04, key)));
  }

  /** The namedCurve OID of a SEC1 ECPrivateKey (its [0] parameters), as a DER OID. */
  private static byte[] sec1Curve(Path file, byte[] der) throws GeneralSecurityException {
    int[] pos = {0};
    expect(file, der, pos, 0x30);
    int end = pos[0] + length(der, pos);
    while (pos[0] < end) {
      int tag = der[pos[0]++] & 0xff;
      int len = length(der, pos);
      if (tag == 0xa0) return java.util.Arrays.copyOfRange(der, pos[0], pos[0] + len);
      pos[0] += len;
    }
    throw new GeneralSecurityException(
        file
            + ": the EC private key names no curve; write it with its parameters (openssl ec -param_enc named_curve)");
  }

  private static void expect(Path file, byte[] der, int[] pos, int tag)
      throws GeneralSecurityException {
    if (der.length == 0 || (der[pos[0]++] & 0xff) != tag)
      throw new GeneralSecurityException(file + ": the private key is not valid DER");
  }

  private static int length(byte[] der, int[] pos) {
    int first = der[pos[0]++] & 0xff;
    if (first < 0x80) return first;
    int n = first & 0x7f, len = 0;
    for (int i = 0; i < n; i++) len = (len << 8) | (der[pos[0]++] & 0xff);
    return len;
  }

  private static byte[] sequence(byte[] content) {
    return tlv(0x30, content);
  }

  private static byte[] tlv(int tag, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
    out.write(tag);
    int len = content.length;
    if (len < 0x80) {
      out.write(len);
    } else if (len < 0x100) {
      out.write(0x81);
      out.write(len);
    } else if (len < 0x10000) {
      out.write(0x82);
      out.write(len >> 8);
      out.write(len);
    } else {
      out.write(0x83);
      out.write(len >> 16);
      out.write(len >> 8);
      out.write(len);
    }
    out.writeBytes(content);
    return out.toByteArray();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private record Block(String type, byte[] der) {}

  private static List<Block> blocks(Path file) throws IOException, GeneralSecurityException {
    String text = Files.readString(file, StandardCharsets.ISO_8859_1);
    List<Block> out = new ArrayList<>();
    Matcher m = BLOCK.matcher(text);
    while (m.find()) {
      try {
        out.add(new Block(m.group(1), Base64.getMimeDecoder().decode(m.group(2))));
      } catch (IllegalArgumentException e) {
        throw new GeneralSecurityException(
            file + ": a " + m.group(1) + " block is not valid base64");
      }
    }
    if (out.isEmpty())
      throw new GeneralSecurityException(file + ": not a PEM file (no -----BEGIN ...----- block)");
    return out;
  }
}
