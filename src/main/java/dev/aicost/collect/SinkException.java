package dev.aicost.collect;

/**
 * A batch the sink could not make durable (the ledger write failed): the source keeps its old state
 * and the next run covers the same usage again. {@code reason} is the health reason label ({@code
 * ledger}); the message goes to the log line and status page and must never contain a secret.
 */
public class SinkException extends Exception {
  private final String reason;

  public SinkException(String reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public String reason() {
    return reason;
  }
}
