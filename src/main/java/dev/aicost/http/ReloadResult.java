package dev.aicost.http;

/** Outcome of POST /-/reload: on failure the old configuration keeps running. */
public record ReloadResult(boolean ok, String message) {}
