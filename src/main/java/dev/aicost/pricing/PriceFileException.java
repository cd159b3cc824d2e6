package dev.aicost.pricing;

/**
 * A price file that cannot be used at all; the message names the file (credentials redacted) and is
 * fit to show a user.
 */
public final class PriceFileException extends Exception {
  public PriceFileException(String message) {
    super(dev.aicost.config.Secrets.redact(message));
  }
}
