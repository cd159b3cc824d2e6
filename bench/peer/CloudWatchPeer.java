import com.sun.net.httpserver.HttpServer;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.common.TextFormat;
import io.prometheus.cloudwatch.CloudWatchCollector;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.resourcegroupstaggingapi.ResourceGroupsTaggingApiClient;

/**
 * prometheus/cloudwatch_exporter's own collector (from its released jar, run unchanged) with its
 * CloudWatch client pointed at a local endpoint: the peer's SDK (2.27.x) has no endpoint setting of
 * its own, so this launcher does what the peer's tests do and hands the collector a client built
 * with endpointOverride. Every scrape of /metrics runs the collector's collect(), as the peer's
 * MetricsServlet does. Compiled against the peer jar by bench/cloudwatch-side-by-side.sh only; not
 * part of the exporter's build.
 *
 * <p>Usage: CloudWatchPeer PORT CONFIG.yml ENDPOINT ACCESS_KEY SECRET_KEY
 */
public final class CloudWatchPeer {
  /** The peer's collector; its constructor taking the clients is protected. */
  static final class Collector extends CloudWatchCollector {
    Collector(String yaml, CloudWatchClient cw, ResourceGroupsTaggingApiClient tags) {
      super(yaml, cw, tags);
    }
  }

  public static void main(String[] a) throws Exception {
    int port = Integer.parseInt(a[0]);
    String yaml = Files.readString(Path.of(a[1]));
    URI endpoint = URI.create(a[2]);
    var creds = StaticCredentialsProvider.create(AwsBasicCredentials.create(a[3], a[4]));
    CloudWatchClient cw =
        CloudWatchClient.builder()
            .region(Region.US_EAST_1)
            .endpointOverride(endpoint)
            .credentialsProvider(creds)
            .build();
    ResourceGroupsTaggingApiClient tags =
        ResourceGroupsTaggingApiClient.builder()
            .region(Region.US_EAST_1)
            .endpointOverride(endpoint)
            .credentialsProvider(creds)
            .build();
    new Collector(yaml, cw, tags).register();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 16);
    server.createContext(
        "/metrics",
        ex -> {
          byte[] body;
          try (var buf = new java.io.ByteArrayOutputStream()) {
            Writer w = new OutputStreamWriter(buf, StandardCharsets.UTF_8);
            TextFormat.write004(w, CollectorRegistry.defaultRegistry.metricFamilySamples());
            w.flush();
            body = buf.toByteArray();
          }
          ex.getResponseHeaders().set("Content-Type", TextFormat.CONTENT_TYPE_004);
          ex.sendResponseHeaders(200, body.length);
          try (var out = ex.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
    System.out.println("peer listening on " + port);
  }
}
