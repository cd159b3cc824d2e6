package dev.aicost.cli;

import dev.aicost.config.ListenAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Prometheus-style flags: {@code --name=value} or {@code --name value}; one subcommand,
 * check-config.
 */
public record CommandLine(
    String configFile,
    String listenAddress,
    String telemetryPath,
    String webConfigFile,
    String logLevel,
    String logFormat,
    boolean demo,
    boolean enableLifecycle,
    boolean version,
    boolean help,
    String checkConfigFile,
    boolean reportWeek,
    String reportEnd) {

  private static final Set<String> LEVELS = Set.of("debug", "info", "warn", "error");

  public static final String USAGE =
      """
      usage: aicost-exporter [flags]
             aicost-exporter check-config FILE
             aicost-exporter report --week [--end=YYYY-MM-DD] [--config.file=FILE]

      Prometheus exporter for the cost of AI inference (vLLM, NVIDIA GPUs, managed APIs).

      flags:
        --config.file=FILE          YAML configuration (docs/configuration.md); without it a vLLM at
                                    http://127.0.0.1:8000/metrics is read if present
        --web.listen-address=ADDR   address to serve on (default :10042; overrides server.listen)
        --web.telemetry-path=PATH   path of the metrics (default /metrics)
        --web.config.file=FILE      web config in the exporter-toolkit format: TLS, basic auth, headers
                                    (docs/configuration.md; overrides server.web_config_file)
        --web.enable-lifecycle      allow POST /-/reload (off: anyone reaching the port could reload);
                                    SIGHUP reloads either way
        --log.level=LEVEL           debug, info, warn or error (default info)
        --log.format=FORMAT         logfmt or json (default logfmt)
        --demo                      also run simulated vLLM deployments on loopback (the real pipeline)
        --version                   print version and exit
        -h, --help                  print this help and exit

      check-config FILE              validate FILE, print every problem with its path, exit 0 if valid
      report --week                  print the weekly review (Markdown) from the ledger of
                                     --config.file (state.path, timezone, budgets): the 7 days
                                     ending yesterday, or ending --end=YYYY-MM-DD, vs the 7 before;
                                     reads a running exporter's ledger without stopping it
      """;

  /** Thrown for a command line the exporter cannot run; the message is for the user. */
  public static final class UsageException extends Exception {
    public UsageException(String message) {
      super(message);
    }
  }

  public static CommandLine parse(String[] args) throws UsageException {
    String config = null,
        listen = null,
        path = null,
        web = null,
        level = "info",
        format = "logfmt",
        check = null;
    boolean demo = false, lifecycle = false, version = false, help = false, week = false;
    String end = null;
    List<String> rest = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("-h")) {
        help = true;
        continue;
      }
      if (!a.startsWith("--")) {
        rest.add(a);
        continue;
      }
      String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
      String inline = a.contains("=") ? a.substring(a.indexOf('=') + 1) : null;
      switch (name) {
        case "--demo" -> demo = flag(name, inline);
        case "--web.enable-lifecycle" -> lifecycle = flag(name, inline);
        case "--version" -> version = flag(name, inline);
        case "--help" -> help = flag(name, inline);
        case "--week" -> week = flag(name, inline);
        case "--end" -> {
          end = inline != null ? inline : (i + 1 < args.length ? args[++i] : null);
          if (end == null) throw new UsageException("--end needs a date YYYY-MM-DD");
          try {
            java.time.LocalDate.parse(end);
          } catch (java.time.format.DateTimeParseException e) {
            throw new UsageException("--end must be a date YYYY-MM-DD, got " + end);
          }
        }
        case "--config.file",
            "--web.listen-address",
            "--web.telemetry-path",
            "--web.config.file",
            "--log.level",
            "--log.format" -> {
          String value = inline;
          if (value == null) {
            if (i + 1 >= args.length) throw new UsageException(name + " needs a value");
            value = args[++i];
          }
          switch (name) {
            case "--config.file" -> config = value;
            case "--web.listen-address" -> listen = value;
            case "--web.telemetry-path" -> path = value;
            case "--web.config.file" -> web = value;
            case "--log.format" -> format = value.toLowerCase(java.util.Locale.ROOT);
            default -> level = value.toLowerCase(java.util.Locale.ROOT);
          }
        }
        default -> throw new UsageException("unknown flag " + name + " (see --help)");
      }
    }
    boolean report = !rest.isEmpty() && rest.get(0).equals("report");
    if (report) {
      if (rest.size() != 1) throw new UsageException("report takes no argument " + rest.get(1));
      if (!week) throw new UsageException("report needs --week (the weekly review)");
    } else if (week || end != null) {
      throw new UsageException((week ? "--week" : "--end") + " belongs to the report command");
    } else if (!rest.isEmpty()) {
      if (!rest.get(0).equals("check-config"))
        throw new UsageException("unknown argument " + rest.get(0) + " (see --help)");
      if (rest.size() != 2) throw new UsageException("check-config needs exactly one FILE");
      check = rest.get(1);
    }
    if (!LEVELS.contains(level))
      throw new UsageException("--log.level must be one of debug, info, warn, error");
    if (listen != null) {
      try {
        ListenAddress.parse(listen);
      } catch (IllegalArgumentException e) {
        throw new UsageException("--web.listen-address: " + e.getMessage());
      }
    }
    if (!format.equals("logfmt") && !format.equals("json"))
      throw new UsageException("--log.format must be logfmt or json");
    if (path != null && !path.startsWith("/"))
      throw new UsageException("--web.telemetry-path must start with /");
    if (web != null && web.isBlank()) throw new UsageException("--web.config.file needs a file");
    return new CommandLine(
        config, listen, path, web, level, format, demo, lifecycle, version, help, check, report,
        end);
  }

  private static boolean flag(String name, String inline) throws UsageException {
    if (inline == null || inline.equals("true")) return true;
    if (inline.equals("false")) return false;
    throw new UsageException(name + " takes no value");
  }
}
