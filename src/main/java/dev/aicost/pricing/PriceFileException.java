package dev.aicost.pricing;

/** A price file that cannot be used at all; the message names the file and is fit to show a user. */
public final class PriceFileException extends Exception {
  public PriceFileException(String message) {
    super(message);
  }
}
