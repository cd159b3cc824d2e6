package dev.aicost.source.nvml;

import dev.aicost.config.VllmSourceConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which configured deployment each process belongs to, read from a Linux procfs: the opt-in half of
 * GPU to deployment mapping ({@code sources.vllm[].process}). A deployment's root processes are
 * those whose command line matches its {@code cmdline} regex, or the process owning the LISTEN
 * socket of its url's port ({@code port_owner}); every descendant of a root (by the ppid in {@code
 * /proc/<pid>/stat}) belongs to it too, since vLLM's GPU workers are children of its API server. A
 * process under two roots belongs to the nearest.
 *
 * <p>Entries that cannot be read (another user's process, one exiting mid-scan) are skipped, never
 * fatal. A scan reads {@code stat} (and {@code cmdline} when a regex is configured) of every
 * process, and the {@code fd} links only until each configured port's socket is found; it is
 * bounded by {@link #MAX_PROCESSES} and {@link #MAX_FD_LINKS}. Meant to run every few tens of
 * seconds, not per poll.
 *
 * <p>PIDs are those of the procfs' PID namespace: NVML reports host PIDs, so in a container the
 * exporter needs the host's PID namespace ({@code --pid=host}) for them to match.
 */
public final class ProcessDeployments {
  static final int MAX_PROCESSES = 100_000;
  static final int MAX_FD_LINKS = 200_000;
  private static final int MAX_CMDLINE_BYTES = 64 * 1024;
  private static final int MAX_DEPTH = 256;

  /**
   * How one deployment's processes are recognised.
   *
   * @param port the port whose LISTEN socket owner is a root; -1 for none
   * @param cmdline searched (find, not whole-match) in the command line; null for none
   */
  public record Rule(String deployment, int port, Pattern cmdline) {}

  /** One scan's result. */
  public record Snapshot(Map<Integer, String> deploymentByPid, Set<Integer> visiblePids) {
    public static final Snapshot EMPTY = new Snapshot(Map.of(), Set.of());

    /** The deployment of {@code pid}, or null when it belongs to none. */
    public String deploymentOf(int pid) {
      return deploymentByPid.get(pid);
    }

    /**
     * Whether {@code pid} exists in the procfs read (NVML's host PIDs do not, from another PID
     * namespace).
     */
    public boolean visible(int pid) {
      return visiblePids.contains(pid);
    }
  }

  private final Path proc;
  private final List<Rule> rules;
  private final boolean anyCmdline;
  private final boolean anyPort;

  /**
   * @param proc the procfs root, normally {@code /proc}
   * @param rules in configuration order: a process matched by two rules as a root belongs to the
   *     first
   */
  public ProcessDeployments(Path proc, List<Rule> rules) {
    this.proc = proc;
    this.rules = List.copyOf(rules);
    this.anyCmdline = rules.stream().anyMatch(r -> r.cmdline() != null);
    this.anyPort = rules.stream().anyMatch(r -> r.port() >= 0);
  }

  /** The rules of the deployments that opted in, or null when none did; reads {@code /proc}. */
  public static ProcessDeployments fromConfig(List<VllmSourceConfig> vllm) {
    List<Rule> rules = rules(vllm);
    return rules.isEmpty() ? null : new ProcessDeployments(Path.of("/proc"), rules);
  }

  /** One rule per deployment with {@code process:} configured, in configuration order. */
  public static List<Rule> rules(List<VllmSourceConfig> vllm) {
    List<Rule> rules = new ArrayList<>();
    for (VllmSourceConfig v : vllm) {
      if (!v.matchesProcesses()) continue;
      int port = -1;
      if (v.process().byPortOwner()) {
        URI url = URI.create(v.url());
        port = url.getPort() >= 0 ? url.getPort() : "https".equals(url.getScheme()) ? 443 : 80;
      }
      Pattern cmdline =
          v.process().cmdline() != null ? Pattern.compile(v.process().cmdline()) : null;
      rules.add(new Rule(v.name(), port, cmdline));
    }
    return rules;
  }

  public List<Rule> rules() {
    return rules;
  }

  /** Reads the process table now. Never throws: what cannot be read is left out. */
  public Snapshot scan() {
    Map<Integer, Integer> parent = new HashMap<>();
    Map<Integer, Integer> roots =
        new HashMap<>(); // pid -> index of the first rule it matched as a root
    try (DirectoryStream<Path> dir = Files.newDirectoryStream(proc)) {
      for (Path entry : dir) {
        int pid = pid(entry.getFileName().toString());
        if (pid <= 0) continue;
        if (parent.size() >= MAX_PROCESSES) break;
        int ppid = ppid(entry);
        if (ppid < 0) continue; // exited or unreadable
        parent.put(pid, ppid);
        if (anyCmdline) {
          String cmdline = cmdline(entry);
          if (cmdline.isEmpty()) continue; // kernel thread or zombie
          for (int r = 0; r < rules.size(); r++) {
            Pattern p = rules.get(r).cmdline();
            if (p != null && p.matcher(cmdline).find()) {
              roots.putIfAbsent(pid, r);
              break;
            }
          }
        }
      }
    } catch (IOException | DirectoryIteratorException e) {
      if (parent.isEmpty()) return Snapshot.EMPTY;
    }
    if (anyPort) portOwners(parent.keySet(), roots);
    if (roots.isEmpty()) return new Snapshot(Map.of(), parent.keySet());

    // Every process belongs to its nearest root ancestor, if any (memoised walk up the ppid chain).
    Map<Integer, Integer> memo = new HashMap<>();
    Map<Integer, String> result = new HashMap<>();
    ArrayDeque<Integer> path = new ArrayDeque<>();
    for (Integer pid : parent.keySet()) {
      path.clear();
      int rule = -1;
      Integer cur = pid;
      for (int depth = 0; cur != null && cur > 0 && depth < MAX_DEPTH; depth++) {
        Integer known = memo.get(cur);
        if (known != null) {
          rule = known;
          break;
        }
        Integer root = roots.get(cur);
        if (root != null) {
          rule = root;
          memo.put(cur, root);
          break;
        }
        path.push(cur);
        cur = parent.get(cur);
      }
      for (Integer p : path) memo.put(p, rule);
      if (rule >= 0) result.put(pid, rules.get(rule).deployment());
    }
    return new Snapshot(result, parent.keySet());
  }

  /** Adds the owners of the configured ports' LISTEN sockets to {@code roots}. */
  private void portOwners(Set<Integer> pids, Map<Integer, Integer> roots) {
    Map<Long, Integer> inodes = new HashMap<>(); // socket inode -> rule index
    Map<Integer, Integer> ruleByPort = new HashMap<>();
    for (int r = 0; r < rules.size(); r++) {
      if (rules.get(r).port() >= 0) ruleByPort.putIfAbsent(rules.get(r).port(), r);
    }
    listening(proc.resolve("net/tcp"), ruleByPort, inodes);
    listening(proc.resolve("net/tcp6"), ruleByPort, inodes);
    if (inodes.isEmpty()) return;
    Set<Long> found = new HashSet<>();
    int links = 0;
    List<Integer> ordered = new ArrayList<>(pids);
    ordered.sort(
        null); // the lowest pid holding a socket is usually its owner, forked workers inherit it
    for (Integer pid : ordered) {
      if (found.size() == inodes.size() || links >= MAX_FD_LINKS) return;
      try (DirectoryStream<Path> fds =
          Files.newDirectoryStream(proc.resolve(pid.toString()).resolve("fd"))) {
        for (Path fd : fds) {
          if (++links > MAX_FD_LINKS) break;
          String target;
          try {
            target = Files.readSymbolicLink(fd).toString();
          } catch (IOException | UnsupportedOperationException e) {
            continue;
          }
          if (!target.startsWith("socket:[") || !target.endsWith("]")) continue;
          long inode;
          try {
            inode = Long.parseLong(target, 8, target.length() - 1, 10);
          } catch (NumberFormatException e) {
            continue;
          }
          Integer rule = inodes.get(inode);
          if (rule != null) {
            found.add(inode);
            roots.merge(pid, rule, Math::min);
          }
        }
      } catch (IOException | DirectoryIteratorException e) {
        // another user's process (no permission) or one that just exited
      }
    }
  }

  /**
   * LISTEN (st 0A) sockets on the wanted ports in a {@code /proc/net/tcp} or {@code tcp6} table.
   */
  private static void listening(
      Path table, Map<Integer, Integer> ruleByPort, Map<Long, Integer> inodes) {
    List<String> lines;
    try {
      lines = Files.readAllLines(table, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      return; // no IPv6, or no procfs net table
    }
    for (int i = 1; i < lines.size(); i++) {
      String[] f = lines.get(i).trim().split("\\s+");
      if (f.length < 10 || !"0A".equals(f[3])) continue;
      int colon = f[1].lastIndexOf(':');
      try {
        int port = Integer.parseInt(f[1].substring(colon + 1), 16);
        Integer rule = ruleByPort.get(port);
        long inode = Long.parseLong(f[9]);
        if (rule != null && inode != 0) inodes.putIfAbsent(inode, rule);
      } catch (NumberFormatException | IndexOutOfBoundsException e) {
        // a malformed line: skip it
      }
    }
  }

  private static int pid(String name) {
    if (name.isEmpty() || name.length() > 10) return -1;
    int pid = 0;
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c < '0' || c > '9') return -1;
      pid = pid * 10 + (c - '0');
    }
    return pid;
  }

  /**
   * The ppid from {@code stat} ("pid (comm) state ppid ..."; comm may hold spaces and parentheses),
   * -1 if unreadable.
   */
  private static int ppid(Path process) {
    String stat;
    try {
      stat = Files.readString(process.resolve("stat"), StandardCharsets.ISO_8859_1);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    int close = stat.lastIndexOf(')');
    if (close < 0) return -1;
    int start = close + 2; // ") S "
    int space = stat.indexOf(' ', start);
    if (space < 0) return -1;
    int end = stat.indexOf(' ', space + 1);
    try {
      return Integer.parseInt(stat, space + 1, end < 0 ? stat.length() : end, 10);
    } catch (NumberFormatException | IndexOutOfBoundsException e) {
      return -1;
    }
  }

  /**
   * The command line with NUL separators read as spaces (trailing ones dropped); "" if unreadable.
   */
  private static String cmdline(Path process) {
    byte[] bytes;
    try (InputStream in = Files.newInputStream(process.resolve("cmdline"))) {
      bytes = in.readNBytes(MAX_CMDLINE_BYTES);
    } catch (IOException | RuntimeException e) {
      return "";
    }
    int n = bytes.length;
    while (n > 0 && bytes[n - 1] == 0) n--;
    for (int i = 0; i < n; i++) if (bytes[i] == 0) bytes[i] = ' ';
    return new String(bytes, 0, n, StandardCharsets.UTF_8);
  }
}
