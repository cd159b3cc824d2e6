package dev.aicost.httpclient;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * An HTTP response body read into memory, refusing more than a cap: an upstream that floods (a
 * wrong URL, a page of millions of series, a gzip bomb) costs at most the cap plus one byte, never
 * the heap. The cap counts the bytes the caller sees, so a gzip body OkHttp decompresses is capped
 * after decompression. A declared {@code Content-Length} over the cap is refused before reading; a
 * body without one (chunked, decompressed) is cut off one byte past the cap, without waiting for
 * the rest. Time is not this class's concern: the client's call and read timeouts bound a slow
 * body.
 *
 * <p>The buffer is sized from {@code Content-Length} when there is one, else grown by half, and
 * never copied to trim: {@link #buffer()} may be longer than {@link #length()}.
 */
public final class CappedBody {
  /** The largest array a JVM reliably allocates. */
  private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

  private static final int UNKNOWN_LENGTH_START = 64 * 1024;

  private final byte[] buffer;
  private final int length;

  private CappedBody(byte[] buffer, int length) {
    this.buffer = buffer;
    this.length = length;
  }

  /**
   * Reads the body of {@code response} (closing it) up to {@code maxBytes}.
   *
   * @throws BodyTooLargeException when the body is declared or turns out to be longer than maxBytes
   * @throws IOException when reading fails, including the client's timeouts ({@link
   *     java.io.InterruptedIOException})
   */
  public static CappedBody read(Response response, long maxBytes)
      throws BodyTooLargeException, IOException {
    if (maxBytes < 0) throw new IllegalArgumentException("maxBytes must not be negative");
    // one byte past the cap must fit, to tell a body of exactly the cap from a longer one
    int cap = (int) Math.min(maxBytes, MAX_ARRAY - 1);
    try (ResponseBody body = response.body()) {
      long declared = body.contentLength();
      if (declared > maxBytes) throw new BodyTooLargeException(maxBytes, declared, true);
      int initial = (int) Math.min(cap + 1L, declared >= 0 ? declared + 1 : UNKNOWN_LENGTH_START);
      byte[] buf = new byte[Math.max(initial, 1)];
      int len = 0;
      InputStream in = body.byteStream();
      while (true) {
        if (len == buf.length)
          buf =
              Arrays.copyOf(
                  buf, (int) Math.min(buf.length + (long) buf.length / 2 + 1024, cap + 1L));
        int n = in.read(buf, len, buf.length - len);
        if (n < 0) return new CappedBody(buf, len);
        len += n;
        if (len > cap) throw new BodyTooLargeException(cap, len, false);
      }
    }
  }

  /** The bytes read, from 0 to {@link #length()}; the array may be longer (not copied to trim). */
  public byte[] buffer() {
    return buffer;
  }

  public int length() {
    return length;
  }

  /** A copy of exactly the bytes read. */
  public byte[] toByteArray() {
    return Arrays.copyOf(buffer, length);
  }
}
