package dev.aicost.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aicost.collect.SourceException;
import dev.aicost.config.ManagedApiSourceConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The OpenAI and Anthropic admin key: where it comes from, what is refused, what is never said. */
class AdminKeyTest {
  /** Distinctive, so a message quoting any part of it is caught. */
  static final String SECRET = "sk-admin-QX7zv93kTpLm";

  static final String VAR = "AICOST_TEST_ADMIN_KEY";

  @TempDir Path dir;

  static ManagedApiSourceConfig env(String name) {
    return new ManagedApiSourceConfig(name, null, null, null, null, null, null, null);
  }

  static ManagedApiSourceConfig file(Path f) {
    return new ManagedApiSourceConfig(null, f.toString(), null, null, null, null, null, null);
  }

  static UnaryOperator<String> only(String name, String value) {
    return n -> n.equals(name) ? value : null;
  }

  /** The failure of {@code key.read()}: reason config, and nothing of the secret in its message. */
  static String refused(AdminKey key) {
    SourceException e = assertThrows(SourceException.class, key::read);
    assertEquals("config", e.reason(), e.getMessage());
    assertFalse(e.getMessage().contains("QX7z"), "the key leaked: " + e.getMessage());
    assertFalse(e.getMessage().contains("Lm"), "a part of the key leaked: " + e.getMessage());
    return e.getMessage();
  }

  @Test
  void theVariableSetIsTheKeyTrimmed() throws Exception {
    assertEquals(SECRET, AdminKey.from(env(VAR), only(VAR, " " + SECRET + "\n")).read());
    assertEquals("environment variable " + VAR, AdminKey.from(env(VAR), n -> null).describe());
  }

  @Test
  void anUnsetVariableIsNamed() {
    assertEquals(
        "no admin key: environment variable " + VAR + " is not set",
        refused(AdminKey.from(env(VAR), n -> null)));
  }

  @Test
  void anEmptyOrBlankVariableIsNamed() {
    assertEquals(
        "no admin key: environment variable " + VAR + " is empty",
        refused(AdminKey.from(env(VAR), only(VAR, ""))));
    assertEquals(
        "no admin key: environment variable " + VAR + " is empty",
        refused(AdminKey.from(env(VAR), only(VAR, " \t\n"))));
  }

  @Test
  void aVariableWithTwoKeysIsRefusedWithoutQuotingThem() {
    String m = refused(AdminKey.from(env(VAR), only(VAR, SECRET + " " + SECRET)));
    assertEquals(
        "the admin key from environment variable "
            + VAR
            + " holds whitespace or a character a header cannot carry (at position "
            + SECRET.length()
            + "); is it one key on one line?",
        m);
  }

  @Test
  void aMissingFileIsNamedWithItsPath() {
    Path f = dir.resolve("absent");
    assertEquals(
        "no admin key: admin_key_file " + f + " is not readable (NoSuchFileException)",
        refused(AdminKey.from(file(f))));
  }

  @Test
  void aDirectoryIsNotAKeyFile() {
    assertTrue(refused(AdminKey.from(file(dir))).contains(dir + " is not readable"));
  }

  @Test
  void anEmptyFileIsNamed() throws Exception {
    Path f = dir.resolve("key");
    Files.writeString(f, "");
    assertEquals(
        "no admin key: admin_key_file " + f + " is empty", refused(AdminKey.from(file(f))));
    Files.writeString(f, "\r\n  \n");
    assertEquals(
        "no admin key: admin_key_file " + f + " is empty", refused(AdminKey.from(file(f))));
  }

  @Test
  void aFileLargerThanFourKibIsNotAKey() throws Exception {
    Path f = dir.resolve("key");
    AdminKey k = AdminKey.from(file(f));
    // exactly at the cap is still read (the padding is stripped)
    Files.writeString(f, SECRET + " ".repeat(AdminKey.MAX_FILE_BYTES - SECRET.length()));
    assertEquals(SECRET, k.read());
    Files.writeString(f, SECRET + "\n" + "x".repeat(AdminKey.MAX_FILE_BYTES));
    assertEquals(
        "no admin key: admin_key_file " + f + " is larger than 4096 bytes: not a key", refused(k));
  }

  @Test
  void aFileWithCrLfIsTheKey() throws Exception {
    Path f = dir.resolve("key");
    Files.writeString(f, SECRET + "\r\n");
    assertEquals(SECRET, AdminKey.from(file(f)).read());
  }

  @Test
  void aFileWithAnInnerSpaceOrControlCharacterIsRefusedWithoutQuotingIt() throws Exception {
    Path f = dir.resolve("key");
    AdminKey k = AdminKey.from(file(f));
    Files.writeString(f, "sk-admin-QX7z v93kTpLm\n");
    assertEquals(
        "the admin key from file "
            + f
            + " holds whitespace or a character a header cannot carry (at position 13); is it"
            + " one key on one line?",
        refused(k));
    Files.writeString(f, SECRET + "\nsk-admin-QX7z-second\n");
    assertTrue(refused(k).contains("at position " + SECRET.length()));
    Files.writeString(f, "sk-admin-QX7z\u0007v93kTpLm");
    refused(k);
    Files.writeString(f, "sk-admin-QX7zé93kTpLm");
    refused(k);
  }

  @Test
  void aFileThatIsNotUtf8IsRefused() throws Exception {
    Path f = dir.resolve("key");
    Files.write(f, new byte[] {'s', 'k', (byte) 0xff, (byte) 0xfe, 'Q', 'X', '7', 'z'});
    assertEquals(
        "no admin key: admin_key_file " + f + " is not UTF-8 text: not a key",
        refused(AdminKey.from(file(f))));
  }

  @Test
  void theFileIsReadAtEveryCallSoARotationApplies() throws Exception {
    Path f = dir.resolve("key");
    AdminKey k = AdminKey.from(file(f));
    refused(k);
    Files.writeString(f, "sk-admin-one\n");
    assertEquals("sk-admin-one", k.read());
    Files.writeString(f, "sk-admin-two\n");
    assertEquals("sk-admin-two", k.read(), "a rotated key applies at the next poll");
    assertEquals("file " + f, k.describe());
  }

  @Test
  void theFileWinsOverTheVariable() throws Exception {
    Path f = dir.resolve("key");
    Files.writeString(f, "sk-admin-from-file\n");
    ManagedApiSourceConfig both =
        new ManagedApiSourceConfig(VAR, f.toString(), null, null, null, null, null, null);
    AdminKey k = AdminKey.from(both, only(VAR, "sk-admin-from-env"));
    assertEquals("sk-admin-from-file", k.read());
    assertEquals("file " + f, k.describe());
  }

  @Test
  void neitherVariableNorFileIsAConfigError() {
    assertEquals(
        "no admin key: neither admin_key_env nor admin_key_file is set in this section",
        refused(AdminKey.from(env(null), only(VAR, SECRET))));
  }

  @Test
  void aFixedKeyIsItselfWithItsDescription() throws Exception {
    AdminKey k = AdminKey.fixed(SECRET, "the demo's in-process key");
    assertEquals(SECRET, k.read());
    assertEquals("the demo's in-process key", k.describe());
    assertEquals(
        "the admin key from the demo's in-process key holds whitespace or a character a header"
            + " cannot carry (at position 0); is it one key on one line?",
        refused(AdminKey.fixed("\u0000" + SECRET, "the demo's in-process key")));
  }
}
