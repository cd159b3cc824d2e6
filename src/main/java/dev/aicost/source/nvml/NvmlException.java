package dev.aicost.source.nvml;

/** An NVML call that returned an error; {@link #code()} is the {@code nvmlReturn_t}. */
public final class NvmlException extends Exception {
  private final int code;

  public NvmlException(String function, int code, String message) {
    super(function + ": " + NvmlReturn.name(code) + " (" + message + ")");
    this.code = code;
  }

  public int code() {
    return code;
  }

  public String codeName() {
    return NvmlReturn.name(code);
  }
}
