package dev.aicost.source.bedrock;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.aicost.collect.Batch;
import dev.aicost.collect.SourceException;
import dev.aicost.source.aws.AwsClients;
import dev.aicost.testing.FakeCloudWatch;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;

/**
 * Whatever CloudWatch revises (up or down), whichever commits are lost, however often the exporter
 * restarts from its checkpoint or a call is refused: per (ModelId, metric) the usage emitted by
 * committed polls is the sum over minutes of the highest value a committed poll read.
 */
class BedrockCountingProperties {
  static final Instant T0 = Instant.parse("2026-11-23T10:00:20Z");
  static final long M0 = T0.getEpochSecond() / 60 * 60;
  static final List<String> MODELS =
      List.of("anthropic.claude-3-5-sonnet-20241022-v2:0", "amazon.nova-pro-v1:0");

  enum Kind {
    REVISE,
    POLL,
    POLL_LOST,
    RESTART,
    REFUSED,
    ADVANCE
  }

  record Op(Kind kind, int model, int minutesAgo, int field, int value) {}

  @Provide
  Arbitrary<List<Op>> ops() {
    Arbitrary<Op> op =
        Combinators.combine(
                Arbitraries.of(Kind.class),
                Arbitraries.integers().between(0, MODELS.size() - 1),
                Arbitraries.integers().between(0, 9),
                Arbitraries.integers().between(0, 4),
                Arbitraries.integers().between(0, 5000))
            .as(Op::new);
    return op.list().ofMinSize(1).ofMaxSize(25);
  }

  @Property(tries = 40)
  void committedUsageIsTheSumOfTheHighestCommittedReadings(@ForAll("ops") List<Op> ops)
      throws Exception {
    try (FakeCloudWatch fake = new FakeCloudWatch();
        CloudWatchClient cw =
            AwsClients.cloudWatch("us-east-1", fake.endpoint(), BedrockSourceTest.creds())) {
      Map<String, Long> now = new HashMap<>(); // what CloudWatch says: model|field|minute
      Map<String, Long> seen = new HashMap<>(); // highest value a committed poll read
      long[][] emitted = new long[MODELS.size()][5];
      Instant clock = T0;
      int advanced = 0;
      BedrockSource src = source(cw);
      String checkpoint = null;
      for (int i = 0; i <= ops.size(); i++) {
        Op op = i < ops.size() ? ops.get(i) : new Op(Kind.POLL, 0, 0, 0, 0); // a final good poll
        switch (op.kind()) {
          case REVISE -> {
            long minute = M0 + 60L * advanced - 60L * op.minutesAgo();
            fake.put(
                MODELS.get(op.model()),
                BedrockSource.METRICS.get(op.field()),
                Instant.ofEpochSecond(minute),
                op.value());
            now.put(op.model() + "|" + op.field() + "|" + minute, (long) op.value());
          }
          case POLL -> {
            Batch b = src.collect(clock, new Recorder());
            src.committed(b);
            checkpoint = b.checkpointJson();
            for (int m = 0; m < MODELS.size(); m++)
              for (int f = 0; f < 5; f++) emitted[m][f] += Recorder.sum(b, MODELS.get(m), f);
            now.forEach((k, v) -> seen.merge(k, v, Math::max));
          }
          case POLL_LOST -> src.collect(clock, new Recorder()); // the ledger write failed
          case RESTART -> {
            src = source(cw);
            src.restore(checkpoint);
          }
          case REFUSED -> {
            fake.fail(1, 403, "AccessDenied", "no");
            try {
              src.collect(clock, new Recorder());
              throw new AssertionError("a refused call must fail the collect");
            } catch (SourceException e) {
              assertEquals("auth", e.reason());
            }
          }
          case ADVANCE -> {
            if (advanced < 4) {
              advanced++;
              clock = clock.plusSeconds(60);
            }
          }
        }
      }
      for (int m = 0; m < MODELS.size(); m++) {
        for (int f = 0; f < 5; f++) {
          long want = 0;
          for (var e : seen.entrySet()) {
            if (e.getKey().startsWith(m + "|" + f + "|")) want += e.getValue();
          }
          assertEquals(want, emitted[m][f], "model " + m + " field " + f + " after " + ops);
        }
      }
      assertEquals(List.of(), fake.protocolErrors);
    }
  }

  private static BedrockSource source(CloudWatchClient cw) {
    return new BedrockSource(
        new BedrockSource.Settings(
            "us-east-1",
            Duration.ofSeconds(60),
            Duration.ofMinutes(15),
            Duration.ofHours(1),
            Duration.ofHours(1),
            MODELS,
            0.00001,
            1000),
        cw);
  }
}
