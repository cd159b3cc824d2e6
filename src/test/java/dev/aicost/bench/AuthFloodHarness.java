package dev.aicost.bench;

import dev.aicost.testing.FakeVllmServer;
import dev.aicost.testing.VllmPages;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.security.crypto.bcrypt.BCrypt;

/**
 * Wrong-password flood against basic auth (bench/authflood.sh; not a JUnit test). The packaged jar
 * runs with the launcher's JVM flags and a web config with one bcrypt user (cost 10, as {@code
 * htpasswd -nBC 10} makes), reading a loopback fake vLLM every second. A legitimate scraper (right
 * password, gzip, one kept-alive connection) scrapes every 20 ms, first alone, then while {@code
 * --flooders} clients each send wrong passwords back to back over their own kept-alive connections
 * (after 3 s of unmeasured warm-up scrapes). Reports the scraper's latency in both phases, the
 * flood's answers and rate, and the exporter's CPU.
 *
 * <p>Usage: {@code AuthFloodHarness <jar> [--flooders N] [--seconds S] [--cost C] [--interval-ms
 * MS] [--addresses N]}; {@code --addresses N} spreads the flooders over N client addresses
 * (127.0.0.2 ...) so per-address backoff does not see them as one client. Exits 0 when measured, 2
 * when it could not measure (not ready, a legitimate scrape refused).
 */
public final class AuthFloodHarness {
  static final double TARGET_P99_MS = 100;

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println(
          "usage: AuthFloodHarness <jar> [--flooders N] [--seconds S] [--cost C] [--interval-ms MS] [--addresses N]");
      System.exit(64);
    }
    int flooders = 32, seconds = 20, cost = 10, intervalMs = 20, addresses = 1;
    for (int i = 1; i < args.length; i++) {
      switch (args[i]) {
        case "--flooders" -> flooders = Integer.parseInt(args[++i]);
        case "--seconds" -> seconds = Integer.parseInt(args[++i]);
        case "--cost" -> cost = Integer.parseInt(args[++i]);
        case "--interval-ms" -> intervalMs = Integer.parseInt(args[++i]);
        case "--addresses" -> addresses = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    try {
      System.out.print(run(Path.of(args[0]), flooders, seconds, cost, intervalMs, addresses));
      System.exit(0);
    } catch (ScrapeLatencyHarness.CannotMeasure e) {
      System.err.println("could not measure: " + e.getMessage());
      System.exit(2);
    }
  }

  static String run(Path jar, int flooders, int seconds, int cost, int intervalMs, int addresses)
      throws Exception {
    if (!Files.isRegularFile(jar)) throw new ScrapeLatencyHarness.CannotMeasure("no jar at " + jar);
    Path dir = Files.createTempDirectory("aicost-authflood-bench");
    System.err.println("work dir: " + dir);
    String password = "scrape-secret-1";
    Path web =
        Files.writeString(
            dir.resolve("web.yml"),
            "basic_auth_users:\n  prometheus: '"
                + BCrypt.hashpw(password, BCrypt.gensalt("$2y", cost))
                + "'\n");
    try (FakeVllmServer vllm = new FakeVllmServer()) {
      vllm.page(VllmPages.v1("bench/model", "0", 100_000, 10_000, 0, 100, 1.7e9));
      int port;
      try (ServerSocket s = new ServerSocket(0)) {
        port = s.getLocalPort();
      }
      Path cfg =
          Files.writeString(
              dir.resolve("aicost.yml"),
              """
          state: { path: %s }
          sources:
            nvml: { enabled: false }
            vllm: [ { name: bench, url: "%s", interval: 1s, gpu_count: 1, gpu_hourly_usd: 2.5 } ]
          """
                  .formatted(dir.resolve("ledger.db"), vllm.url()));
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      cmd.addAll(ScrapeLatencyHarness.LAUNCHER_FLAGS);
      cmd.addAll(
          List.of(
              "-jar",
              jar.toString(),
              "--config.file=" + cfg,
              "--web.listen-address=127.0.0.1:" + port,
              "--web.config.file=" + web));
      Process p =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("exporter.log").toFile())
              .start();
      try {
        awaitReady(port, password);
        long[] alone;
        try (Client legit = new Client(port, "prometheus", password)) {
          scrapeEvery(
              legit,
              intervalMs,
              3,
              null); // warm-up: the JIT and the first renderings, not measured
          alone = scrapeEvery(legit, intervalMs, seconds, null);
        }
        Flood flood = new Flood(port, flooders, addresses);
        long cpu0 = ScrapeLatencyHarness.cpuTicks(p.pid());
        long[] during;
        long t0 = System.nanoTime();
        try (Client legit = new Client(port, "prometheus", password)) {
          flood.start();
          Thread.sleep(1000); // the flood is at full rate before the first measured scrape
          during = scrapeEvery(legit, intervalMs, seconds, flood);
        } finally {
          flood.stop();
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        double cpu = (ScrapeLatencyHarness.cpuTicks(p.pid()) - cpu0) / 100.0;
        return table(
            jar,
            flooders + " flooders from " + addresses + " address(es)",
            cost,
            intervalMs,
            alone,
            during,
            flood,
            wall,
            cpu);
      } finally {
        p.destroy();
        if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly();
      }
    }
  }

  private static void awaitReady(int port, String password) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      try (Client c = new Client(port, "prometheus", password)) {
        if (c.get("/-/ready") == 200) return;
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(50);
    }
    throw new ScrapeLatencyHarness.CannotMeasure("exporter not ready in 30 s");
  }

  /**
   * One scrape every intervalMs (a late scrape starts at once) for the given seconds; sorted
   * latencies in ns.
   */
  private static long[] scrapeEvery(Client legit, int intervalMs, int seconds, Flood flood)
      throws Exception {
    long[] ns = new long[seconds * 1000 / intervalMs + 16];
    int n = 0;
    long start = System.nanoTime(), end = start + TimeUnit.SECONDS.toNanos(seconds), next = start;
    while (System.nanoTime() < end && n < ns.length) {
      long wait = next - System.nanoTime();
      if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
      long s = System.nanoTime();
      int status = legit.get("/metrics");
      ns[n++] = System.nanoTime() - s;
      if (status != 200)
        throw new ScrapeLatencyHarness.CannotMeasure(
            "the legitimate scrape got " + status + (flood == null ? "" : " during the flood"));
      next += TimeUnit.MILLISECONDS.toNanos(intervalMs);
    }
    long[] out = Arrays.copyOf(ns, n);
    Arrays.sort(out);
    return out;
  }

  /** Clients sending wrong passwords back to back, each over its own kept-alive connection. */
  static final class Flood {
    private final int port;
    private final List<Thread> threads = new ArrayList<>();
    final Map<Integer, LongAdder> answers = new ConcurrentHashMap<>();
    final LongAdder reconnects = new LongAdder();
    private volatile boolean running = true;

    Flood(int port, int n, int addresses) {
      this.port = port;
      for (int i = 0; i < n; i++) {
        int id = i;
        String from =
            addresses <= 1
                ? null
                : "127.0.0." + (2 + i % addresses); // all of 127/8 is loopback on Linux
        Thread t = new Thread(() -> loop(id, from), "flood-" + i);
        t.setDaemon(true);
        threads.add(t);
      }
    }

    void start() {
      threads.forEach(Thread::start);
    }

    private void loop(int id, String from) {
      int attempt = 0;
      while (running) {
        try (Client c = new Client(port, "prometheus", "wrong-" + id + "-" + attempt, from)) {
          while (running) {
            c.password("wrong-" + id + "-" + attempt++);
            answers.computeIfAbsent(c.get("/metrics"), k -> new LongAdder()).increment();
          }
        } catch (Exception e) {
          if (running) reconnects.increment();
        }
      }
    }

    void stop() throws InterruptedException {
      running = false;
      for (Thread t : threads) t.join(5000);
    }

    long total() {
      return answers.values().stream().mapToLong(LongAdder::sum).sum();
    }
  }

  /**
   * HTTP/1.1 GET over one kept-alive socket with basic auth and gzip; reads the Content-Length
   * body.
   */
  static final class Client implements AutoCloseable {
    private static final Pattern LENGTH = Pattern.compile("(?im)^content-length:\\s*(\\d+)");
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final String user;
    private String auth;
    private final byte[] head = new byte[16 * 1024];
    private byte[] body = new byte[1 << 20];

    Client(int port, String user, String password) throws IOException {
      this(port, user, password, null);
    }

    /** {@code from}: the local address to connect from (another client address), or null. */
    Client(int port, String user, String password, String from) throws IOException {
      socket =
          from == null
              ? new Socket("127.0.0.1", port)
              : new Socket(
                  java.net.InetAddress.getByName("127.0.0.1"),
                  port,
                  java.net.InetAddress.getByName(from),
                  0);
      socket.setTcpNoDelay(true);
      socket.setSoTimeout(30_000);
      in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
      out = socket.getOutputStream();
      this.user = user;
      password(password);
    }

    void password(String password) {
      auth =
          Base64.getEncoder()
              .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** The status code; the body is read and dropped. */
    int get(String path) throws IOException {
      out.write(
          ("GET "
                  + path
                  + " HTTP/1.1\r\nHost: bench\r\nAccept-Encoding: gzip\r\nAuthorization: Basic "
                  + auth
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      int n = 0;
      while (n < 4
          || head[n - 4] != '\r'
          || head[n - 3] != '\n'
          || head[n - 2] != '\r'
          || head[n - 1] != '\n') {
        int b = in.read();
        if (b < 0) throw new IOException("closed in the response head");
        if (n == head.length) throw new IOException("response head too long");
        head[n++] = (byte) b;
      }
      String h = new String(head, 0, n, StandardCharsets.ISO_8859_1);
      Matcher m = LENGTH.matcher(h);
      int len = m.find() ? Integer.parseInt(m.group(1)) : 0;
      if (len > body.length) body = new byte[len * 2];
      for (int off = 0; off < len; ) {
        int r = in.read(body, off, len - off);
        if (r < 0) throw new IOException("closed in the body");
        off += r;
      }
      return Integer.parseInt(h.substring(9, 12));
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  private static double pct(long[] ns, double q) {
    int i = (int) Math.ceil(q * ns.length) - 1;
    return ns[Math.max(0, Math.min(ns.length - 1, i))] / 1e6;
  }

  private static String latency(long[] ns) {
    return String.format(
        Locale.ROOT,
        "p50 %.2f / p90 %.2f / **p99 %.2f** / max %.2f ms (%,d scrapes)",
        pct(ns, .5),
        pct(ns, .9),
        pct(ns, .99),
        ns[ns.length - 1] / 1e6,
        ns.length);
  }

  private static String table(
      Path jar,
      String flooders,
      int cost,
      int intervalMs,
      long[] alone,
      long[] during,
      Flood flood,
      double wall,
      double cpu) {
    Map<Integer, Long> answers = new TreeMap<>();
    flood.answers.forEach((k, v) -> answers.put(k, v.sum()));
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT,
            "jar: %s; %s; bcrypt cost %d; legitimate scrape every %d ms (gzip)%n%n",
            jar,
            flooders,
            cost,
            intervalMs));
    sb.append("| measurement | value |\n|---|---|\n");
    sb.append("| legitimate scrape, no flood | ").append(latency(alone)).append(" |\n");
    sb.append("| legitimate scrape during the flood | ")
        .append(latency(during))
        .append(
            pct(during, .99) <= TARGET_P99_MS
                ? " (meets p99 <= 100 ms)"
                : " (**misses** p99 <= 100 ms)")
        .append(" |\n");
    sb.append(
        String.format(
            Locale.ROOT,
            "| flood answers | %s; %.0f requests/s; %d reconnects |%n",
            answers,
            flood.total() / wall,
            flood.reconnects.sum()));
    sb.append(
        String.format(
            Locale.ROOT,
            "| exporter CPU during the flood | %.2f cores (%.1f s CPU in %.1f s) |%n",
            cpu / wall,
            cpu,
            wall));
    return sb.toString();
  }
}
