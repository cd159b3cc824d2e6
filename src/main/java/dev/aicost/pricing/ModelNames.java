package dev.aicost.pricing;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The documented model-name normalisations, applied cumulatively in this order; the price lookup
 * tries the id as given and then each step's result until one is in the catalog:
 *
 * <ol>
 *   <li>lowercase and trim: {@code GPT-4o} -> {@code gpt-4o}
 *   <li>strip a path prefix up to the last {@code /}: {@code openai/gpt-4o} -> {@code gpt-4o}
 *   <li>strip a Bedrock geography / inference-profile prefix ({@code us.}, {@code eu.}, {@code
 *       apac.}, {@code global.}, {@code us-gov.}, {@code jp.}, {@code au.}, {@code ca.}; {@link
 *       BedrockProfiles}); the catalog still prices by that prefix where it has scoped rows
 *   <li>strip a Bedrock version suffix ({@code -v2:0}, {@code :0}, {@code -v1}, {@code :200k});
 *       only on vendor-dotted ids such as {@code anthropic.x} so that names like {@code gpt-4.1}
 *       are left alone
 *   <li>strip a date suffix: {@code -2024-08-06} or {@code -20241022}
 *   <li>strip {@code -latest}
 *   <li>strip Anthropic's {@code -0} minor-version alias: {@code claude-sonnet-4-0} -> {@code
 *       claude-sonnet-4}
 *   <li>strip the provider's own vendor prefix: {@code anthropic.claude-x} in the {@code anthropic}
 *       catalog
 * </ol>
 */
final class ModelNames {
  private static final Pattern VENDOR_DOTTED = Pattern.compile("^[a-z][a-z0-9-]*\\.[a-z]");
  private static final Pattern VERSION_SUFFIX = Pattern.compile("(-v\\d+)?(:\\d+k?)*$");
  private static final Pattern DATE_SUFFIX = Pattern.compile("-(\\d{4}-\\d{2}-\\d{2}|\\d{8})$");
  private static final String LATEST = "-latest";
  private static final Pattern MINOR_ZERO = Pattern.compile("^(claude-[a-z0-9-]*\\d)-0$");

  private ModelNames() {}

  /** Normalised forms of {@code model}, in lookup order, without repeats and without the raw id. */
  static List<String> candidates(String provider, String model) {
    List<String> out = new ArrayList<>();
    String m = model.trim().toLowerCase(Locale.ROOT);
    add(out, m);
    int slash = m.lastIndexOf('/');
    if (slash >= 0 && slash < m.length() - 1) add(out, m = m.substring(slash + 1));
    String profile = BedrockProfiles.of(m);
    if (!profile.isEmpty()) add(out, m = m.substring(profile.length() + 1));
    if (VENDOR_DOTTED.matcher(m).find()) add(out, m = VERSION_SUFFIX.matcher(m).replaceFirst(""));
    add(out, m = DATE_SUFFIX.matcher(m).replaceFirst(""));
    if (m.endsWith(LATEST)) add(out, m = m.substring(0, m.length() - LATEST.length()));
    add(out, m = MINOR_ZERO.matcher(m).replaceFirst("$1"));
    String vendor = provider.toLowerCase(Locale.ROOT) + ".";
    if (m.startsWith(vendor) && m.length() > vendor.length())
      add(out, m.substring(vendor.length()));
    out.remove(model);
    return out;
  }

  private static void add(List<String> out, String s) {
    if (!s.isEmpty() && !out.contains(s)) out.add(s);
  }
}
