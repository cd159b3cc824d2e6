package dev.aicost.httpclient;

/**
 * A response body over its cap. The message names only sizes (never a URL, which may hold
 * credentials): the caller says what was being read.
 */
public final class BodyTooLargeException extends Exception {
  private final long maxBytes;
  private final long bytes;
  private final boolean declared;

  BodyTooLargeException(long maxBytes, long bytes, boolean declared) {
    super(
        declared
            ? "body of " + bytes + " bytes (Content-Length) exceeds " + maxBytes + " bytes"
            : "body exceeds " + maxBytes + " bytes (at least " + bytes + " read)",
        null,
        false,
        false);
    this.maxBytes = maxBytes;
    this.bytes = bytes;
    this.declared = declared;
  }

  /** The cap the body went over. */
  public long maxBytes() {
    return maxBytes;
  }

  /** The declared length, or the bytes read when the cap was passed (the body is at least this). */
  public long bytes() {
    return bytes;
  }

  /** Whether Content-Length said so before any byte was read. */
  public boolean declared() {
    return declared;
  }
}
