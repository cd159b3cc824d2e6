package dev.aicost.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.aicost.collect.SourceException;
import dev.aicost.testing.RecordingContext;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The shared failure mapping of the OpenAI and Anthropic admin API clients. */
class AdminApiFailuresTest {
  static final String SECRET = "sk-admin-QX7zv93kTpLm";
  static final AdminKey KEY = AdminKey.fixed(SECRET, "environment variable OPENAI_ADMIN_KEY");

  @Test
  void a401Or403IsAuthCountedOnceNamingTheKeysOriginNotTheKey() {
    for (int code : new int[] {401, 403}) {
      RecordingContext ctx = new RecordingContext();
      SourceException e =
          assertThrows(
              SourceException.class,
              () -> AdminApiFailures.refusedKey(code, "costs", "/v1/x", KEY, "revoked", ctx));
      assertEquals("auth", e.reason());
      assertEquals(
          "/v1/x answered HTTP "
              + code
              + ": the admin key from environment variable OPENAI_ADMIN_KEY was refused (revoked)",
          e.getMessage());
      assertFalse(e.getMessage().contains("QX7z"));
      assertEquals(List.of("costs/http_" + code), ctx.calls);
    }
  }

  @Test
  void anyOtherStatusIsLeftToTheClientUncounted() throws Exception {
    RecordingContext ctx = new RecordingContext();
    for (int code : new int[] {200, 400, 404, 429, 500})
      AdminApiFailures.refusedKey(code, "costs", "/v1/x", KEY, "revoked", ctx);
    assertEquals(List.of(), ctx.calls);
  }

  @Test
  void transportFailuresHaveTheirReasonAndOutcome() {
    record Case(IOException e, String reason, String outcome, String message) {}
    for (Case c :
        List.of(
            new Case(
                new SocketTimeoutException("t"),
                "timeout",
                "timeout",
                "/v1/x did not answer within 1500 ms"),
            new Case(
                new InterruptedIOException("call timeout"),
                "timeout",
                "timeout",
                "/v1/x did not answer within 1500 ms"),
            new Case(
                new ConnectException("refused"),
                "connect",
                "connect_error",
                "cannot connect to api.example: ConnectException"),
            new Case(
                new UnknownHostException("api.example"),
                "connect",
                "connect_error",
                "cannot connect to api.example: UnknownHostException"),
            new Case(
                new IOException("unexpected end of stream " + SECRET),
                "io",
                "error",
                "reading /v1/x failed: IOException"))) {
      RecordingContext ctx = new RecordingContext();
      SourceException e =
          AdminApiFailures.transport(
              c.e(), "usage", "/v1/x", "api.example", Duration.ofMillis(1500), ctx);
      assertEquals(c.reason(), e.reason(), c.toString());
      assertEquals(c.message(), e.getMessage());
      assertEquals(List.of("usage/" + c.outcome()), ctx.calls);
    }
  }

  @Test
  void retryAfterIsSecondsOrADateAtMostAnHourNullWhenUnreadable() {
    assertEquals(Duration.ofSeconds(30), AdminApiFailures.retryAfter(" 30 "));
    assertEquals(Duration.ZERO, AdminApiFailures.retryAfter("-5"));
    assertEquals(Duration.ofHours(1), AdminApiFailures.retryAfter("31536000"));
    assertEquals(Duration.ZERO, AdminApiFailures.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT"));
    String inTwoMinutes =
        DateTimeFormatter.RFC_1123_DATE_TIME.format(
            ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(121));
    long s = AdminApiFailures.retryAfter(inTwoMinutes).toSeconds();
    assertEquals(true, s >= 110 && s <= 121, "about two minutes: " + s);
    assertNull(AdminApiFailures.retryAfter(null));
    assertNull(AdminApiFailures.retryAfter(" "));
    assertNull(AdminApiFailures.retryAfter("soon"));
  }
}
