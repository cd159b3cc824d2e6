package dev.aicost.config;

/**
 * {@code sources.vllm[].process:} opt-in GPU to deployment mapping by the processes NVML lists on
 * each GPU.
 *
 * @param portOwner the process owning the LISTEN socket of the port in the deployment's {@code url}
 *     (and its descendants) is the deployment; the url's host must then be local
 * @param cmdline a Java regular expression searched in {@code /proc/<pid>/cmdline} (NUL bytes read
 *     as spaces); matching processes and their descendants are the deployment
 */
public record ProcessMatchConfig(Boolean portOwner, String cmdline) {
  /** True when {@code port_owner: true}. */
  public boolean byPortOwner() {
    return Boolean.TRUE.equals(portOwner);
  }

  /** True when at least one way of matching is configured. */
  public boolean enabled() {
    return byPortOwner() || cmdline != null;
  }
}
