package dev.aicost.pricing;

import java.time.LocalDate;

/**
 * Where a built-in price was checked and when, so every figure can be traced to the provider's own
 * page.
 *
 * @param sourceUrl the provider pricing page (or announcement) the figures were checked against
 * @param checked the day they were last checked
 * @param note what could not be verified, or how a figure was derived; "" when nothing to add
 */
public record Provenance(String sourceUrl, LocalDate checked, String note) {
  public Provenance {
    note = note == null ? "" : note;
  }
}
