package dev.aicost.ledger;

public class LedgerException extends Exception {
  public LedgerException(String message, Throwable cause) {
    super(message, cause);
  }
}
