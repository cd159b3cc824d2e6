package dev.aicost.source.vllm;

/**
 * The page is not valid Prometheus text / OpenMetrics. The message starts with {@code line N:} and
 * quotes at most 80 characters of the offending line (non-printable bytes shown as {@code ?}), so
 * it is safe to log.
 */
public final class PromParseException extends Exception {
  private static final long serialVersionUID = 1L;

  private final int lineNumber;

  public PromParseException(String message, int lineNumber) {
    super("line " + lineNumber + ": " + message);
    this.lineNumber = lineNumber;
  }

  /** 1-based line number of the offending line. */
  public int lineNumber() {
    return lineNumber;
  }
}
