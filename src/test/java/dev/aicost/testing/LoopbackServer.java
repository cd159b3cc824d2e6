package dev.aicost.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;

/** The HTTP server under every upstream fake: an ephemeral port, daemon worker threads. */
public final class LoopbackServer {
  private LoopbackServer() {}

  /** Bound to the loopback address, not started: add contexts, then {@code start()}. */
  public static HttpServer create(String threadName) {
    return create(threadName, InetAddress.getLoopbackAddress());
  }

  /** Bound to {@code bind}, not started. */
  public static HttpServer create(String threadName, InetAddress bind) {
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(bind, 0), 16);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.setExecutor(
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, threadName);
              t.setDaemon(true);
              return t;
            }));
    return server;
  }
}
