package dev.aicost.source.costexplorer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aicost.collect.Batch;
import dev.aicost.collect.SourceContext;
import dev.aicost.collect.SourceException;
import dev.aicost.config.CostExplorerConfig;
import dev.aicost.model.BilledAmount;
import dev.aicost.model.SpendDelta;
import dev.aicost.source.aws.AwsClients;
import dev.aicost.testing.FakeCloudWatch;
import dev.aicost.testing.FakeCostExplorer;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/** CostExplorerSource through the real AWS SDK against a Cost Explorer fake (AWS JSON 1.1). */
class CostExplorerSourceTest {
  static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");
  static final LocalDate TODAY = LocalDate.parse("2026-11-23");
  static final String EC2 = "Amazon Elastic Compute Cloud - Compute";

  final FakeCostExplorer fake = new FakeCostExplorer();
  final List<CostExplorerSource> sources = new ArrayList<>();

  @AfterEach
  void close() {
    sources.forEach(CostExplorerSource::close);
    fake.close();
    assertEquals(List.of(), fake.protocolErrors);
  }

  CostExplorerSource source() {
    CostExplorerSource s =
        new CostExplorerSource(
            CostExplorerSourceKind.settings(new CostExplorerConfig(true, null, null)),
            AwsClients.costExplorer(
                fake.endpoint(),
                StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(
                        FakeCloudWatch.ACCESS_KEY, FakeCloudWatch.SECRET_KEY))));
    sources.add(s);
    return s;
  }

  static final class Ctx implements SourceContext {
    double cost;
    final List<String> errors = new ArrayList<>();

    @Override
    public void upstreamCall(String operation, String outcome) {}

    @Override
    public void partialError(String reason, String message) {
      errors.add(reason);
    }

    @Override
    public void upstreamCost(double usd) {
      cost += usd;
    }
  }

  static Batch poll(CostExplorerSource s, Instant now, Ctx ctx) throws SourceException {
    Batch b = s.collect(now, ctx);
    s.committed(b);
    return b;
  }

  static double spend(Batch b, String category) {
    return b.spend().stream()
        .filter(d -> d.category().equals(category))
        .mapToDouble(SpendDelta::usd)
        .sum();
  }

  @Test
  void billsEveryDayAndBooksMappedServicesOnceAcrossRevisions() throws Exception {
    LocalDate d1 = TODAY.minusDays(2);
    fake.put(d1, EC2, 100.25);
    fake.put(d1, "Amazon Simple Storage Service", 3.5);
    fake.put(d1, "AWS Data Transfer", 1.0);
    fake.put(d1, "Amazon Bedrock", 10.0);
    fake.put(d1, "Claude 3.5 Sonnet (Amazon Bedrock Edition)", 6.0);
    fake.put(d1, "AWS Key Management Service", 0.4);
    fake.dayPerPage(true);
    CostExplorerSource s = source();
    Ctx ctx = new Ctx();
    Batch b = poll(s, NOW, ctx);

    assertTrue(b.billed().contains(new BilledAmount("aws", "bedrock", d1, 16.0)), "" + b.billed());
    assertTrue(b.billed().contains(new BilledAmount("aws", "aws_key_management_service", d1, 0.4)));
    assertEquals(100.25, spend(b, "compute"), 1e-9);
    assertEquals(3.5, spend(b, "storage"), 1e-9);
    assertEquals(1.0, spend(b, "networking"), 1e-9);
    assertEquals(3, b.spend().size()); // Bedrock and KMS are bills only
    SpendDelta ec2 =
        b.spend().stream().filter(d -> d.category().equals("compute")).findFirst().get();
    assertEquals(d1.atStartOfDay().toInstant(java.time.ZoneOffset.UTC), ec2.start());
    assertEquals("aws", ec2.provider());
    // 7 days + today, one page each, $0.01 per request
    assertEquals(8, fake.calls.get());
    assertEquals(0.08, ctx.cost, 1e-12);
    assertEquals(List.of(TODAY.minusDays(7) + "/" + TODAY.plusDays(1)), fake.periods);

    // revised upwards: only the difference; a bill figure replaces
    fake.put(d1, EC2, 120.25);
    fake.dayPerPage(false);
    Batch b2 = poll(s, NOW.plus(Duration.ofHours(6)), new Ctx());
    assertEquals(20.0, spend(b2, "compute"), 1e-9);
    assertEquals(0.0, spend(b2, "storage"), 1e-9);
    assertTrue(b2.billed().contains(new BilledAmount("aws", "bedrock", d1, 16.0)));

    // lowered: reported, nothing booked, and growing back is not booked twice
    fake.put(d1, EC2, 110.0);
    Ctx down = new Ctx();
    assertEquals(0, poll(s, NOW.plus(Duration.ofHours(12)), down).spend().size());
    assertEquals(List.of("bucket_shrank"), down.errors);
    fake.put(d1, EC2, 121.25);
    assertEquals(1.0, spend(poll(s, NOW.plus(Duration.ofHours(18)), new Ctx()), "compute"), 1e-9);
  }

  @Test
  void aRestartNeitherRepeatsNorLoses() throws Exception {
    fake.put(TODAY.minusDays(1), EC2, 50);
    CostExplorerSource a = source();
    Batch b1 = poll(a, NOW, new Ctx());
    assertEquals(50, spend(b1, "compute"), 1e-9);
    fake.put(TODAY.minusDays(1), EC2, 55);
    CostExplorerSource b = source();
    b.restore(b1.checkpointJson());
    assertEquals(5, spend(poll(b, NOW.plus(Duration.ofHours(6)), new Ctx()), "compute"), 1e-9);
  }

  @Test
  void accessDeniedNamesTheIamActionAndCountsNothing() throws Exception {
    fake.put(TODAY.minusDays(1), EC2, 50);
    fake.fail(1, 400, "AccessDeniedException");
    CostExplorerSource s = source();
    Ctx ctx = new Ctx();
    SourceException e = assertThrows(SourceException.class, () -> s.collect(NOW, ctx));
    assertEquals("auth", e.reason());
    assertTrue(e.getMessage().contains("ce:GetCostAndUsage"), e.getMessage());
    assertEquals(0.0, ctx.cost);
    assertEquals(50, spend(poll(s, NOW, new Ctx()), "compute"), 1e-9);
  }

  @Test
  void rateLimitedAfterTheSdkRetries() throws Exception {
    fake.fail(3, 400, "LimitExceededException");
    SourceException e = assertThrows(SourceException.class, () -> source().collect(NOW, new Ctx()));
    assertEquals("rate_limited", e.reason());
  }
}
