package dev.aicost.source.vllm;

import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * Open-addressing table of the wanted sample names, looked up by the bytes of a name on the page
 * and the hash the scanner computed while reading it, so unwanted names are rejected without
 * allocating.
 */
final class WantedNames {
  private static final WantedNames NONE = new WantedNames(new byte[1][], new String[1], 0);

  private final byte[][] keys;
  private final String[] names;
  private final int mask;

  private WantedNames(byte[][] keys, String[] names, int mask) {
    this.keys = keys;
    this.names = names;
    this.mask = mask;
  }

  static WantedNames of(Set<String> wanted) {
    if (wanted.isEmpty()) {
      return NONE;
    }
    int size = Integer.highestOneBit(Math.max(16, wanted.size() * 4 - 1)) << 1;
    byte[][] keys = new byte[size][];
    String[] names = new String[size];
    int mask = size - 1;
    for (String name : wanted) {
      byte[] key = name.getBytes(StandardCharsets.UTF_8);
      int h = 0;
      for (byte b : key) {
        h = 31 * h + b;
      }
      int slot = spread(h) & mask;
      while (keys[slot] != null) {
        slot = (slot + 1) & mask;
      }
      keys[slot] = key;
      names[slot] = name;
    }
    return new WantedNames(keys, names, mask);
  }

  /** Same hash as the scanner's: {@code h = 31 * h + b} over the name bytes, starting at 0. */
  static int spread(int h) {
    return h ^ (h >>> 16);
  }

  /** The wanted String for {@code buf[start, end)}, or null. */
  String find(byte[] buf, int start, int end, int hash) {
    if (mask == 0) {
      return null;
    }
    int len = end - start;
    int slot = spread(hash) & mask;
    byte[] key;
    while ((key = keys[slot]) != null) {
      if (key.length == len && java.util.Arrays.equals(key, 0, len, buf, start, end)) {
        return names[slot];
      }
      slot = (slot + 1) & mask;
    }
    return null;
  }
}
