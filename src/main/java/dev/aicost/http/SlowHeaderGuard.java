package dev.aicost.http;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngineResult;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.ssl.SslConnection;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConnection;
import org.eclipse.jetty.server.Server;

/**
 * Closes connections whose request headers take longer than the read-header timeout, counted from
 * the request's first byte (Go's ReadHeaderTimeout). Jetty's idle timeout alone cannot: a client
 * sending one header byte every few seconds resets it forever (slowloris). An idle kept-alive
 * connection between scrapes has no request begun and is left to the idle timeout.
 *
 * <p>A sweep every quarter of the timeout (at most 1 s) reads each connection's parser: its state
 * is volatile and written after the begin time, so a request seen in its headers has its own begin
 * time.
 */
final class SlowHeaderGuard implements AutoCloseable {
  private final Server server;
  private final long timeoutNanos;
  private final Refusals refusals;
  private final ScheduledFuture<?> task;

  SlowHeaderGuard(
      Server server, Duration timeout, ScheduledExecutorService scheduler, Refusals refusals) {
    this.server = server;
    this.timeoutNanos = timeout.toNanos();
    this.refusals = refusals;
    long every = Math.max(10, Math.min(1000, timeout.toMillis() / 4));
    this.task = scheduler.scheduleWithFixedDelay(this::sweep, every, every, TimeUnit.MILLISECONDS);
  }

  /** Closes every connection over the limit now; returns how many. */
  int sweep() {
    int closed = 0;
    long now = System.nanoTime();
    for (Connector c : server.getConnectors()) {
      if (!(c instanceof AbstractConnector connector)) continue;
      for (EndPoint ep : connector.getConnectedEndPoints()) {
        if (tooSlow(http(ep.getConnection()), now) || handshakeTooSlow(ep)) {
          ep.close();
          closed++;
        }
      }
    }
    if (closed > 0) {
      refusals.add(
          Refusals.Reason.SLOW_HEADERS,
          closed,
          "read_header_timeout=" + Duration.ofNanos(timeoutNanos).toMillis() + "ms");
    }
    return closed;
  }

  private boolean tooSlow(HttpConnection http, long now) {
    if (http == null) return false;
    HttpParser p = http.getParser();
    if (p.isStart() || !p.inHeaderState())
      return false; // read the volatile state first, then the begin time
    return now - http.getBeginNanoTime() > timeoutNanos;
  }

  /**
   * A TLS handshake is a header too (as in Go): bounded by the same timeout, from the connection's
   * accept.
   */
  private boolean handshakeTooSlow(EndPoint ep) {
    if (!(ep.getConnection() instanceof SslConnection ssl)) return false;
    HttpConnection http = http(ssl);
    if (http == null || http.getMessagesIn() > 0) return false;
    if (ssl.getSSLEngine().getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING)
      return false;
    return TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis() - ep.getCreatedTimeStamp())
        > timeoutNanos;
  }

  /** The HTTP connection of an endpoint, under TLS too. */
  private static HttpConnection http(Connection c) {
    if (c instanceof SslConnection ssl) c = ssl.getDecryptedEndPoint().getConnection();
    return c instanceof HttpConnection h ? h : null;
  }

  @Override
  public void close() {
    task.cancel(false);
  }
}
