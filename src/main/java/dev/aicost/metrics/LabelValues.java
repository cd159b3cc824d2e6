package dev.aicost.metrics;

/** The fixed label values of the contract (docs/metrics.md), each defined once. */
public final class LabelValues {
  private LabelValues() {}

  /** {@code provider} of usage served by the operator's own GPUs. */
  public static final String SELF_HOSTED = "self_hosted";

  /** {@code service}: a vLLM deployment, a GPU serving none, the GPUs' energy. */
  public static final String SERVICE_VLLM = "vllm";

  public static final String SERVICE_GPU = "gpu";
  public static final String SERVICE_GPU_ENERGY = "gpu_energy";

  /** {@code category} of spend. */
  public static final String CATEGORY_INFERENCE = "inference";

  public static final String CATEGORY_COMPUTE = "compute";

  /** {@code price_source}: where a price came from. */
  public static final String PRICE_BUILTIN = "builtin";

  public static final String PRICE_FILE = "file";
  public static final String PRICE_CONFIG = "config";
  public static final String PRICE_DEPLOYMENT = "deployment";
  public static final String PRICE_DEFAULT = "default";
}
