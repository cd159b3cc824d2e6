/**
 * Turns usage into dollars: token prices ({@link dev.aicost.pricing.PriceCatalog}), GPU hourly
 * prices ({@link dev.aicost.pricing.GpuPriceResolver}) and energy ({@link
 * dev.aicost.pricing.EnergyPrice}).
 *
 * <p>Rules this package keeps: an unknown price is null/empty and is reported as unpriced, never as
 * $0; every price carries its source ({@code builtin}, {@code file}, {@code config}; for GPUs
 * {@code deployment}, {@code config}, {@code default}) so dashboards can tell an estimate from a
 * contract; usage is priced at the price in force on its UTC day.
 */
package dev.aicost.pricing;
