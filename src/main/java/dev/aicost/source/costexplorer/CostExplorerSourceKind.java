package dev.aicost.source.costexplorer;

import dev.aicost.collect.Source;
import dev.aicost.collect.SourceKind;
import dev.aicost.collect.SourceSetup;
import dev.aicost.config.CostExplorerConfig;
import dev.aicost.source.aws.AwsClients;
import java.util.List;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/** {@code sources.aws_cost_explorer}: one source when {@code enabled}, off by default. */
public final class CostExplorerSourceKind implements SourceKind {
  public static final String SECTION = "sources.aws_cost_explorer";

  private final Supplier<AwsCredentialsProvider> credentials;

  public CostExplorerSourceKind() {
    this(AwsClients::defaultCredentials);
  }

  public CostExplorerSourceKind(Supplier<AwsCredentialsProvider> credentials) {
    this.credentials = credentials;
  }

  @Override
  public String section() {
    return SECTION;
  }

  @Override
  public List<Source> create(SourceSetup setup) {
    CostExplorerConfig cfg = setup.config().sources().awsCostExplorer();
    if (cfg == null || !cfg.enabled()) return List.of();
    return List.of(
        new CostExplorerSource(
            settings(cfg), AwsClients.costExplorer(cfg.endpoint(), credentials.get())));
  }

  static CostExplorerSource.Settings settings(CostExplorerConfig cfg) {
    return new CostExplorerSource.Settings(
        cfg.interval(), cfg.window(), cfg.categories(), cfg.pricePerRequest());
  }
}
