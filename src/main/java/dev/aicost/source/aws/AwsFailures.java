package dev.aicost.source.aws;

import dev.aicost.collect.SourceException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Set;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * An AWS SDK failure as collector health: a bounded reason token and a message that names what to
 * fix (the IAM action, the credential chain) but never the upstream's own text, which may quote
 * account ids, ARNs or signing details.
 */
public final class AwsFailures {
  /** Every reason {@link #of} can return. */
  public static final List<String> REASONS =
      List.of("auth", "rate_limited", "http_status", "timeout", "connect", "parse", "io");

  private static final Set<String> THROTTLED =
      Set.of(
          "Throttling",
          "ThrottlingException",
          "ThrottledException",
          "RequestLimitExceeded",
          "TooManyRequestsException",
          "LimitExceededException");
  private static final Set<String> DENIED =
      Set.of("AccessDenied", "AccessDeniedException", "UnauthorizedOperation");
  private static final Set<String> BAD_CREDENTIALS =
      Set.of(
          "ExpiredToken",
          "ExpiredTokenException",
          "RequestExpired",
          "InvalidClientTokenId",
          "UnrecognizedClientException",
          "SignatureDoesNotMatch",
          "IncompleteSignature",
          "InvalidAccessKeyId",
          "MissingAuthenticationToken");

  private AwsFailures() {}

  /**
   * @param iamAction the action the call needs, e.g. {@code cloudwatch:GetMetricData}
   * @param where the region or endpoint, for the message
   */
  public static SourceException of(SdkException e, String iamAction, String where) {
    if (e instanceof AwsServiceException s) {
      String code = s.awsErrorDetails() != null ? s.awsErrorDetails().errorCode() : null;
      int status = s.statusCode();
      String tail = " (HTTP " + status + (code != null ? ", " + code : "") + ")";
      if (DENIED.contains(code)) {
        return new SourceException(
            "auth",
            "access denied: the AWS credentials may not call "
                + iamAction
                + " in "
                + where
                + "; grant "
                + iamAction
                + " to the exporter's role or user"
                + tail);
      }
      if (BAD_CREDENTIALS.contains(code)) {
        return new SourceException(
            "auth",
            "AWS credentials expired or invalid for "
                + iamAction
                + " in "
                + where
                + "; refresh them (env AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN,"
                + " AWS_PROFILE, web identity or instance role)"
                + tail);
      }
      if (s.isThrottlingException() || THROTTLED.contains(code) || status == 429) {
        return new SourceException(
            "rate_limited",
            iamAction
                + " throttled in "
                + where
                + " after the SDK's retries with backoff; the next poll tries again"
                + tail);
      }
      if (status == 401 || status == 403) {
        return new SourceException("auth", "AWS refused " + iamAction + " in " + where + tail);
      }
      return new SourceException("http_status", iamAction + " failed in " + where + tail);
    }
    String cls = e.getClass().getSimpleName();
    if (e instanceof ApiCallTimeoutException || e instanceof ApiCallAttemptTimeoutException) {
      return new SourceException(
          "timeout", iamAction + " timed out in " + where + " (" + cls + ")");
    }
    for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
      if (c instanceof ConnectException
          || c instanceof UnknownHostException
          || c instanceof NoRouteToHostException) {
        return new SourceException(
            "connect",
            "cannot reach the AWS endpoint for "
                + iamAction
                + " in "
                + where
                + " ("
                + c.getClass().getSimpleName()
                + ")");
      }
      if (c instanceof SocketTimeoutException) {
        return new SourceException("timeout", iamAction + " timed out in " + where);
      }
    }
    String m = e.getMessage() != null ? e.getMessage() : "";
    if (m.startsWith("Unable to load credentials")) {
      return new SourceException(
          "auth",
          "no AWS credentials found by the default chain for "
              + iamAction
              + " (env AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, web identity or"
              + " instance role)");
    }
    if (m.contains("nmarshall") || m.contains("parse") || m.contains("XML")) {
      return new SourceException(
          "parse", "unreadable AWS response to " + iamAction + " in " + where + " (" + cls + ")");
    }
    return new SourceException("io", iamAction + " failed in " + where + " (" + cls + ")");
  }
}
