/**
 * Small helpers for reading upstream HTTP responses with OkHttp, shared by every source and the
 * price-file download. Imports nothing of ours, so any package may use it.
 */
package dev.aicost.httpclient;
