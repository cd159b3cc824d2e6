package dev.aicost.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class CommandLineTest {
  @Test
  void prometheusStyleFlags() throws Exception {
    CommandLine c =
        CommandLine.parse(
            new String[] {
              "--config.file=a.yml", "--web.listen-address", ":9", "--demo", "--log.level=DEBUG"
            });
    assertEquals("a.yml", c.configFile());
    assertEquals(":9", c.listenAddress());
    assertTrue(c.demo());
    assertEquals("debug", c.logLevel());
    assertEquals("logfmt", c.logFormat());
    assertEquals("json", CommandLine.parse(new String[] {"--log.format", "json"}).logFormat());
    assertTrue(CommandLine.parse(new String[] {"-h"}).help());
    assertEquals(
        "web.yml",
        CommandLine.parse(new String[] {"--web.config.file", "web.yml"}).webConfigFile());
    assertTrue(CommandLine.parse(new String[] {"--web.enable-lifecycle"}).enableLifecycle());
    assertEquals(
        false,
        CommandLine.parse(new String[] {}).enableLifecycle(),
        "off unless asked for, as in Prometheus");
    assertEquals(
        "[::1]:0",
        CommandLine.parse(new String[] {"--web.listen-address=[::1]:0"}).listenAddress());
  }

  @Test
  void checkConfigSubcommand() throws Exception {
    assertEquals(
        "x.yml", CommandLine.parse(new String[] {"check-config", "x.yml"}).checkConfigFile());
    assertThrows(
        CommandLine.UsageException.class, () -> CommandLine.parse(new String[] {"check-config"}));
  }

  @Test
  void reportSubcommand() throws Exception {
    CommandLine c =
        CommandLine.parse(
            new String[] {"report", "--week", "--end", "2026-03-15", "--config.file=c.yml"});
    assertTrue(c.reportWeek());
    assertEquals("2026-03-15", c.reportEnd());
    assertEquals("c.yml", c.configFile());
    for (String[] bad :
        List.of(
            new String[] {"report"},
            new String[] {"--week"},
            new String[] {"report", "--week", "--end=15.03.2026"},
            new String[] {"report", "--week", "extra"})) {
      assertThrows(
          CommandLine.UsageException.class, () -> CommandLine.parse(bad), String.join(" ", bad));
    }
  }

  @Test
  void mistakesAreUsageErrors() {
    assertThrows(
        CommandLine.UsageException.class, () -> CommandLine.parse(new String[] {"--nope"}));
    assertThrows(
        CommandLine.UsageException.class, () -> CommandLine.parse(new String[] {"--config.file"}));
    assertThrows(
        CommandLine.UsageException.class,
        () -> CommandLine.parse(new String[] {"--log.level=loud"}));
    assertThrows(
        CommandLine.UsageException.class, () -> CommandLine.parse(new String[] {"--demo=yes"}));
    assertThrows(
        CommandLine.UsageException.class,
        () -> CommandLine.parse(new String[] {"--web.listen-address=20001"}));
    assertThrows(
        CommandLine.UsageException.class,
        () -> CommandLine.parse(new String[] {"--web.listen-address", ":65536"}));
    assertThrows(
        CommandLine.UsageException.class,
        () -> CommandLine.parse(new String[] {"--log.format=xml"}));
  }
}
