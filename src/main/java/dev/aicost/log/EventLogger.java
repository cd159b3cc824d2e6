package dev.aicost.log;

import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;

/** An slf4j logger that writes {@link Logging}'s key=value lines. */
final class EventLogger extends LegacyAbstractLogger {
  EventLogger(String name) {
    this.name = name;
  }

  @Override
  public boolean isTraceEnabled() {
    return Logging.enabled(name, Level.TRACE);
  }

  @Override
  public boolean isDebugEnabled() {
    return Logging.enabled(name, Level.DEBUG);
  }

  @Override
  public boolean isInfoEnabled() {
    return Logging.enabled(name, Level.INFO);
  }

  @Override
  public boolean isWarnEnabled() {
    return Logging.enabled(name, Level.WARN);
  }

  @Override
  public boolean isErrorEnabled() {
    return Logging.enabled(name, Level.ERROR);
  }

  @Override
  protected String getFullyQualifiedCallerName() {
    return null;
  }

  @Override
  protected void handleNormalizedLoggingCall(
      Level level, Marker marker, String template, Object[] args, Throwable t) {
    Logging.write(name, level, template, args, t);
  }
}
