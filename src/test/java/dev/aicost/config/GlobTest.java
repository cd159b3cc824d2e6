package dev.aicost.config;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class GlobTest {
  @Test
  void starIsTheOnlyWildcardAndCaseIsTheCallersRule() {
    Pattern ids = Glob.compile("team-*.prod", false);
    assertTrue(ids.matcher("team-a.prod").matches());
    assertTrue(ids.matcher("team-.prod").matches());
    assertFalse(ids.matcher("team-aXprod").matches(), "a dot is literal");
    assertFalse(ids.matcher("Team-a.prod").matches(), "attribution ids match as written");

    Pattern gpus = Glob.compile("NVIDIA H100*", true);
    assertTrue(gpus.matcher("nvidia h100 80gb hbm3").matches(), "GPU names match in any case");
    assertFalse(gpus.matcher("NVIDIA A100").matches());
    assertTrue(
        Glob.compile("a(b)[c]", false).matcher("a(b)[c]").matches(),
        "regex characters are literal");
  }
}
