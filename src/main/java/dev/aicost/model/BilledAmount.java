package dev.aicost.model;

import java.time.LocalDate;

/**
 * What a provider's bill says for one day (cost API, Cost Explorer). Revisions replace, never add.
 */
public record BilledAmount(String provider, String service, LocalDate day, double usd) {}
