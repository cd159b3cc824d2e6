package dev.aicost.budget;

/** A request parameter the API refuses; the message names it (answered as 400). */
public final class BadParameter extends Exception {
  private final String parameter;

  public BadParameter(String parameter, String message) {
    super(parameter + ": " + message);
    this.parameter = parameter;
  }

  public String parameter() {
    return parameter;
  }
}
