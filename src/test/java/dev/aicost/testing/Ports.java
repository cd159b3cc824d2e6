package dev.aicost.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Loopback ports for the processes and servers a test starts. */
public final class Ports {
  private Ports() {}

  /** A loopback port free at the moment of asking (the caller binds it soon after). */
  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
