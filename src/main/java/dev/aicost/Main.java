package dev.aicost;

import dev.aicost.cli.CommandLine;
import dev.aicost.config.ConfigException;
import dev.aicost.config.ConfigLoader;
import dev.aicost.config.ExporterConfig;
import dev.aicost.config.Secrets;
import dev.aicost.http.WebSecurity;
import dev.aicost.log.LogFormat;
import dev.aicost.log.Logging;
import dev.aicost.metrics.BuildInfo;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import sun.misc.Signal;

/**
 * Entry point: parses the command line, loads the configuration, builds the exporter and runs it.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args));
  }

  static int run(String[] args) {
    CommandLine cli;
    try {
      cli = CommandLine.parse(args);
    } catch (CommandLine.UsageException e) {
      System.err.println("aicost-exporter: " + e.getMessage());
      return 1;
    }
    if (cli.help()) {
      System.out.print(CommandLine.USAGE);
      return 0;
    }
    if (cli.version()) {
      BuildInfo b = BuildInfo.load();
      System.out.println(
          "aicost-exporter "
              + b.version()
              + " (revision "
              + b.revision()
              + ", java "
              + System.getProperty("java.version")
              + ")");
      return 0;
    }
    if (cli.checkConfigFile() != null) return checkConfig(Path.of(cli.checkConfigFile()));
    if (cli.reportWeek())
      return Report.week(
          cli.configFile() == null ? null : Path.of(cli.configFile()),
          cli.reportEnd(),
          Clock.systemUTC(),
          System.out,
          System.err);

    Logging.configure(cli.logLevel(), LogFormat.parse(cli.logFormat()));
    ExporterConfig config;
    Path file = cli.configFile() == null ? null : Path.of(cli.configFile());
    try {
      config = file == null ? ExporterConfig.defaults() : new ConfigLoader().load(file);
      if (file == null && cli.demo())
        config = withStatePath(config, DEMO_STATE); // never mix demo numbers into a real ledger
    } catch (ConfigException e) {
      System.err.println("aicost-exporter: invalid configuration " + file + ":");
      e.problems().forEach(p -> System.err.println("  " + p));
      return 1;
    }
    String webFile =
        cli.webConfigFile() != null ? cli.webConfigFile() : config.server().webConfigFile();
    WebSecurity web = null;
    if (webFile != null) {
      try {
        web = WebSecurity.load(Path.of(webFile));
      } catch (ConfigException e) {
        System.err.println("aicost-exporter: invalid web config " + webFile + ":");
        e.problems().forEach(p -> System.err.println("  " + p));
        return 1;
      }
    }
    OkHttpClient http =
        new OkHttpClient.Builder()
            .connectionPool(new ConnectionPool(8, 5, TimeUnit.MINUTES))
            .dispatcher(new Dispatcher())
            .followRedirects(true)
            .build();
    Exporter exporter;
    try {
      exporter =
          new Exporter(
                  new Exporter.Settings(
                      file,
                      cli.listenAddress(),
                      cli.telemetryPath(),
                      cli.demo(),
                      file == null && !cli.demo(),
                      web,
                      cli.enableLifecycle()),
                  config,
                  Clock.systemUTC(),
                  http)
              .start();
    } catch (Exception e) {
      System.err.println(
          "aicost-exporter: cannot start: " + Secrets.redact(String.valueOf(e.getMessage())));
      return 1;
    }
    reloadOnSighup(exporter);
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  exporter.close();
                  http.dispatcher().executorService().shutdown();
                  http.connectionPool().evictAll();
                  stop.countDown();
                },
                "shutdown"));
    try {
      stop.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  /**
   * SIGHUP reloads, as for Prometheus (the JVM's default would shut down). The handler only queues
   * the reload; its outcome is logged and exposed as aicost_config_last_reload_successful.
   */
  private static void reloadOnSighup(Exporter exporter) {
    try {
      Signal.handle(
          new Signal("HUP"),
          sig -> {
            log().info("event=reload_requested trigger=SIGHUP");
            exporter.requestReload();
          });
    } catch (IllegalArgumentException e) { // -Xrs, or a platform without SIGHUP
      log()
          .warn(
              "event=sighup_unavailable error=\"{}\" hint=\"use POST /-/reload with --web.enable-lifecycle\"",
              e.getMessage());
    }
  }

  /** Created after configureLogging, which must run before the first logger exists. */
  private static org.slf4j.Logger log() {
    return org.slf4j.LoggerFactory.getLogger(Main.class);
  }

  static final String DEMO_STATE = "data/aicost-demo.db";

  private static ExporterConfig withStatePath(ExporterConfig c, String path) {
    return c.withState(new dev.aicost.config.StateConfig(path));
  }

  static int checkConfig(Path file) {
    try {
      ExporterConfig cfg = new ConfigLoader().load(file);
      if (cfg.server().webConfigFile() != null) {
        try {
          WebSecurity.load(Path.of(cfg.server().webConfigFile()));
        } catch (ConfigException e) {
          List<String> problems =
              e.problems().stream().map(p -> "server.web_config_file: " + p).toList();
          throw new ConfigException(problems);
        }
      }
      System.out.println(
          file
              + ": valid ("
              + cfg.sources().vllm().size()
              + " vLLM deployments, "
              + cfg.attribution().rules().size()
              + " attribution rules, "
              + cfg.budgets().size()
              + " budgets)");
      return 0;
    } catch (ConfigException e) {
      System.err.println(
          file
              + ": "
              + e.problems().size()
              + " problem"
              + (e.problems().size() == 1 ? "" : "s")
              + ":");
      e.problems().forEach(p -> System.err.println("  " + p));
      return 1;
    }
  }
}
