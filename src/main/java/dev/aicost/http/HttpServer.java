package dev.aicost.http;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The exporter's HTTP side: /metrics (Prometheus text, OpenMetrics or protobuf by Accept; gzip by
 * Accept-Encoding), /-/healthy, /-/ready, POST /-/reload, the status page and the JSON API.
 * Handlers only read in-memory state.
 */
public final class HttpServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HttpServer.class);

  private final Javalin app;
  private final ExpositionCache cache;
  private final Duration readHeaderTimeout;
  private final ScheduledExecutorService guardThread;
  private final Refusals refusals;
  private SlowHeaderGuard slowHeaders;

  /**
   * Where to listen; {@code security} is the --web.config.file settings, or null for plain HTTP
   * without auth; a request whose headers take longer than {@code readHeaderTimeout} from its first
   * byte is cut off.
   */
  public record Options(
      String host,
      int port,
      String telemetryPath,
      WebSecurity security,
      Duration readHeaderTimeout) {}

  public HttpServer(
      Options options,
      PrometheusRegistry registry,
      ExpositionCache cache,
      BooleanSupplier ready,
      Supplier<CompletableFuture<ReloadResult>> reload,
      StatusView status,
      JsonApi api) {
    this.cache = cache;
    this.readHeaderTimeout = options.readHeaderTimeout();
    this.guardThread =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "http-guard");
              t.setDaemon(true);
              return t;
            });
    this.refusals = new Refusals(guardThread, cache::changed);
    registry.register(refusals);
    QueuedThreadPool pool = new QueuedThreadPool(16, 2);
    pool.setName("http");
    pool.setDaemon(true);
    app =
        Javalin.create(
            cfg -> {
              cfg.showJavalinBanner = false;
              cfg.startupWatcherEnabled = false;
              cfg.http.disableCompression(); // /metrics compresses itself, by Accept-Encoding
              cfg.http.responseBufferSize =
                  256 * 1024; // a large /metrics body leaves in few writes
              cfg.jetty.threadPool = pool;
              cfg.jetty.defaultHost = options.host();
              cfg.jetty.defaultPort = options.port();
              if (options.security() != null) {
                cfg.jetty.addConnector(
                    (server, http) ->
                        options.security().connector(server, http, options.host(), options.port()));
              }
            });
    if (options.security() != null) app.before(ctx -> options.security().check(ctx, refusals));
    app.get(options.telemetryPath(), this::metrics);
    app.head(options.telemetryPath(), this::metrics);
    app.get("/-/healthy", ctx -> ctx.contentType("text/plain; charset=utf-8").result("OK\n"));
    app.head("/-/healthy", ctx -> ctx.status(HttpStatus.OK));
    app.get("/-/ready", ctx -> readiness(ctx, ready));
    app.head("/-/ready", ctx -> readiness(ctx, ready));
    app.post("/-/reload", ctx -> reload(ctx, reload));
    app.get(
        "/-/reload",
        ctx ->
            ctx.status(HttpStatus.METHOD_NOT_ALLOWED).header("Allow", "POST").result("use POST\n"));
    app.get(
        "/",
        ctx ->
            ctx.contentType("text/html; charset=utf-8")
                .result(StatusPage.render(status, options.telemetryPath(), status.now())));
    api.register(app);
    app.exception(
        Exception.class,
        (e, ctx) -> {
          log.error("event=http_handler_error path={} error=\"{}\"", ctx.path(), e.toString());
          ctx.status(HttpStatus.INTERNAL_SERVER_ERROR).result("internal error\n");
        });
  }

  public HttpServer start() {
    app.start();
    slowHeaders =
        new SlowHeaderGuard(app.jettyServer().server(), readHeaderTimeout, guardThread, refusals);
    return this;
  }

  public int port() {
    return app.port();
  }

  /**
   * The address actually bound ({@code 0.0.0.0:10042}, {@code [::1]:43117}), for the start-up log.
   */
  public String boundAddress() {
    for (org.eclipse.jetty.server.Connector c : app.jettyServer().server().getConnectors()) {
      if (c instanceof org.eclipse.jetty.server.ServerConnector sc && sc.getLocalPort() > 0) {
        String host = sc.getHost() == null ? "0.0.0.0" : sc.getHost();
        return dev.aicost.config.ListenAddress.format(host, sc.getLocalPort());
      }
    }
    return ":" + app.port();
  }

  /** How long POST /-/reload waits for its reload; the reload itself carries on past it. */
  static final Duration RELOAD_WAIT = Duration.ofSeconds(60);

  /**
   * POST /-/reload, as Prometheus has it: only with --web.enable-lifecycle (reload is null
   * without), answered when a reload that began after the request is done. The wait is
   * asynchronous, so reloaders hold no server thread and never delay a scrape.
   */
  private static void reload(Context ctx, Supplier<CompletableFuture<ReloadResult>> reload) {
    ctx.contentType("text/plain; charset=utf-8");
    if (reload == null) {
      ctx.status(HttpStatus.FORBIDDEN)
          .result(
              "Lifecycle API is not enabled (start with --web.enable-lifecycle, or send SIGHUP).\n");
      return;
    }
    ctx.future(
        () ->
            reload
                .get()
                .orTimeout(RELOAD_WAIT.toMillis(), TimeUnit.MILLISECONDS)
                .handle(
                    (r, timeout) -> {
                      if (r == null) {
                        ctx.status(HttpStatus.SERVICE_UNAVAILABLE)
                            .result(
                                "reload still running after "
                                    + RELOAD_WAIT.toSeconds()
                                    + "s; aicost_config_last_reload_successful will say how it ended\n");
                      } else {
                        ctx.status(r.ok() ? HttpStatus.OK : HttpStatus.BAD_REQUEST)
                            .result(r.message() + "\n");
                      }
                      return null;
                    }));
  }

  private static void readiness(Context ctx, BooleanSupplier ready) {
    boolean ok = ready.getAsBoolean();
    ctx.status(ok ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE)
        .contentType("text/plain; charset=utf-8")
        .result(ok ? "Ready\n" : "Starting\n");
  }

  private void metrics(Context ctx) {
    boolean gzip = acceptsGzip(ctx.header("Accept-Encoding"));
    // ?name[]=a&name[]=b selects families, as client_java's own server does
    java.util.List<String> names = ctx.queryParams("name[]");
    ExpositionCache.Body body = cache.get(ctx.header("Accept"), gzip, names);
    if (gzip) ctx.header("Content-Encoding", "gzip");
    ctx.header("Vary", "Accept, Accept-Encoding");
    ctx.contentType(body.contentType());
    ctx.res().setContentLength(body.length());
    if (!"HEAD".equals(ctx.method().name())) {
      // straight to the connection: a body of megabytes is not copied again through a result stream
      try {
        ctx.res().getOutputStream().write(body.bytes(), 0, body.length());
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e); // the scraper went away
      }
    }
  }

  static boolean acceptsGzip(String header) {
    if (header == null) return false;
    for (String part : header.toLowerCase(Locale.ROOT).split(",")) {
      String[] kv = part.trim().split(";");
      if (!kv[0].trim().equals("gzip") && !kv[0].trim().equals("*")) continue;
      if (kv.length > 1 && kv[1].trim().replace(" ", "").matches("q=0(\\.0*)?")) return false;
      return true;
    }
    return false;
  }

  @Override
  public void close() {
    if (slowHeaders != null) slowHeaders.close();
    guardThread.shutdownNow();
    app.stop();
  }

  /** For the status page: totals to show. */
  public static String money(double usd) {
    return String.format(Locale.ROOT, "$%,.4f", usd);
  }

  static String escape(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '&' -> sb.append("&amp;");
        case '"' -> sb.append("&quot;");
        case '\'' -> sb.append("&#39;");
        default -> sb.append(c);
      }
    }
    return sb.toString();
  }
}
