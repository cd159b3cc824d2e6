package dev.aicost.source.buckets;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Exactly-once counting over time buckets an upstream keeps revising: provider usage buckets that
 * grow after they first appear, CloudWatch minutes that are filled in late, billed days that are
 * corrected.
 *
 * <p>A poll re-reads every bucket from the committed {@link State#floor()} on and hands the totals
 * the upstream reports now to {@link #reconcile}. For each (bucket, group) only what grew since it
 * was last counted is emitted; a value that shrank (a provider correction) is reported, never
 * emitted as a negative, and the counted value stays at its maximum, so growing back to it is not
 * counted twice. Buckets before the new floor are final: they leave the state, and readings for
 * them are ignored from then on. The state is small (the re-read window only) and goes into the
 * source's ledger checkpoint, committed with the records it produced, so a restart neither repeats
 * nor loses a bucket.
 */
public final class BucketTally {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int VERSION = 1;

  private final int fields;

  /**
   * @param fields values per (bucket, group), e.g. 5 for input, cache read, cache write, output,
   *     requests
   */
  public BucketTally(int fields) {
    if (fields < 1) throw new IllegalArgumentException("fields must be at least 1");
    this.fields = fields;
  }

  public int fields() {
    return fields;
  }

  /**
   * One bucket of one group.
   *
   * @param start the bucket's start, epoch seconds, aligned to the bucket width
   * @param group the group's canonical text ({@link #group})
   */
  public record Key(long start, String group) implements Comparable<Key> {
    public Key {
      if (group == null) throw new IllegalArgumentException("group must not be null");
    }

    @Override
    public int compareTo(Key o) {
      int c = Long.compare(start, o.start);
      return c != 0 ? c : group.compareTo(o.group);
    }
  }

  /** The canonical text of a group's values (a JSON array; null values allowed). */
  public static String group(String... values) {
    ArrayNode a = JSON.createArrayNode();
    for (String v : values) {
      if (v == null) a.addNull();
      else a.add(v);
    }
    return a.toString();
  }

  /** The values of {@link #group} text, in order (null where the group had none). */
  public static List<String> groupValues(String group) {
    try {
      JsonNode a = JSON.readTree(group);
      if (a == null || !a.isArray()) throw new IllegalArgumentException("not a group: " + group);
      List<String> out = new ArrayList<>(a.size());
      for (JsonNode v : a) out.add(v.isNull() ? null : v.asText());
      return Collections.unmodifiableList(out);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a group: " + group, e);
    }
  }

  /**
   * What has been counted: every (bucket, group) from {@code floor} on, with the totals counted for
   * it. Buckets before {@code floor} are final and counted. Immutable: the arrays are never handed
   * out to be changed.
   */
  public record State(long floor, SortedMap<Key, long[]> counted) {
    public State {
      TreeMap<Key, long[]> copy = new TreeMap<>();
      counted.forEach((k, v) -> copy.put(k, v.clone()));
      counted = Collections.unmodifiableSortedMap(copy);
    }

    /** Nothing counted yet; buckets before {@code floor} will never be read. */
    public static State initial(long floor) {
      return new State(floor, new TreeMap<>());
    }

    /** What was counted for a key (a copy; zeros of the given width when never counted). */
    public long[] countedFor(Key key, int fields) {
      long[] v = counted.get(key);
      return v != null ? v.clone() : new long[fields];
    }

    /** The state as checkpoint JSON. */
    public String toJson() {
      ObjectNode root = JSON.createObjectNode();
      root.put("version", VERSION);
      root.put("floor", floor);
      ArrayNode buckets = root.putArray("buckets");
      counted.forEach(
          (k, v) -> {
            ArrayNode row = buckets.addArray();
            row.add(k.start());
            row.add(k.group());
            ArrayNode vals = row.addArray();
            for (long x : v) vals.add(x);
          });
      return root.toString();
    }

    /** Reads {@link #toJson}; a malformed checkpoint is an {@link IllegalArgumentException}. */
    public static State fromJson(String json) {
      try {
        JsonNode root = JSON.readTree(json);
        if (root == null || !root.isObject() || !root.path("floor").isIntegralNumber()) {
          throw new IllegalArgumentException("bucket checkpoint without a floor");
        }
        if (root.path("version").asInt(-1) != VERSION) {
          throw new IllegalArgumentException(
              "bucket checkpoint version " + root.path("version") + " is not " + VERSION);
        }
        TreeMap<Key, long[]> counted = new TreeMap<>();
        for (JsonNode row : root.path("buckets")) {
          if (!row.isArray()
              || row.size() != 3
              || !row.get(0).isIntegralNumber()
              || !row.get(1).isTextual()
              || !row.get(2).isArray()) {
            throw new IllegalArgumentException("malformed bucket row " + row);
          }
          long[] v = new long[row.get(2).size()];
          for (int i = 0; i < v.length; i++) {
            JsonNode x = row.get(2).get(i);
            if (!x.isIntegralNumber() || x.asLong() < 0) {
              throw new IllegalArgumentException("malformed bucket value in " + row);
            }
            v[i] = x.asLong();
          }
          counted.put(new Key(row.get(0).asLong(), row.get(1).asText()), v);
        }
        return new State(root.get("floor").asLong(), counted);
      } catch (JsonProcessingException e) {
        throw new IllegalArgumentException("bucket checkpoint is not JSON", e);
      }
    }

    @Override
    public boolean equals(Object o) {
      if (!(o instanceof State s) || s.floor != floor || s.counted.size() != counted.size()) {
        return false;
      }
      for (Map.Entry<Key, long[]> e : counted.entrySet()) {
        if (!Arrays.equals(e.getValue(), s.counted.get(e.getKey()))) return false;
      }
      return true;
    }

    @Override
    public int hashCode() {
      return Long.hashCode(floor) * 31 + counted.keySet().hashCode();
    }
  }

  /** What one key's values moved by: every field {@code >= 0}. */
  public record Change(Key key, long[] delta) {
    public Change {
      delta = delta.clone();
    }

    public long get(int field) {
      return delta[field];
    }
  }

  /**
   * @param growth what to emit: per key, what each field grew by since it was counted
   * @param shrinks per key, what each field fell by (a provider correction): reported, not emitted
   * @param ignored readings for buckets before the committed floor (final, already counted)
   * @param next the state once the growth is committed
   */
  public record Result(List<Change> growth, List<Change> shrinks, int ignored, State next) {
    public Result {
      growth = List.copyOf(growth);
      shrinks = List.copyOf(shrinks);
    }
  }

  /**
   * Compares what the upstream reports now with what was counted. Pure: {@code committed} is not
   * changed; the caller commits {@code growth} together with {@code next}.
   *
   * @param readings the totals reported now, per (bucket, group); each array has {@link #fields}
   *     values {@code >= 0}
   * @param newFloor the earliest bucket start the next poll will still re-read: keys before it
   *     leave the state (never below the committed floor)
   */
  public Result reconcile(State committed, Map<Key, long[]> readings, long newFloor) {
    TreeMap<Key, long[]> counted = new TreeMap<>(committed.counted());
    List<Change> growth = new ArrayList<>();
    List<Change> shrinks = new ArrayList<>();
    int ignored = 0;
    for (Map.Entry<Key, long[]> e : new TreeMap<>(readings).entrySet()) {
      Key key = e.getKey();
      long[] now = e.getValue();
      if (now.length != fields) {
        throw new IllegalArgumentException(
            "reading for " + key + " has " + now.length + " values, want " + fields);
      }
      if (key.start() < committed.floor()) {
        ignored++;
        continue;
      }
      long[] before = counted.getOrDefault(key, new long[fields]);
      long[] up = new long[fields];
      long[] down = new long[fields];
      long[] after = before.clone();
      boolean grew = false, shrank = false;
      for (int i = 0; i < fields; i++) {
        if (now[i] < 0) throw new IllegalArgumentException("negative reading for " + key);
        if (now[i] > before[i]) {
          up[i] = now[i] - before[i];
          after[i] = now[i];
          grew = true;
        } else if (now[i] < before[i]) {
          down[i] = before[i] - now[i];
          shrank = true;
        }
      }
      if (grew) growth.add(new Change(key, up));
      if (shrank) shrinks.add(new Change(key, down));
      counted.put(key, after);
    }
    long floor = Math.max(committed.floor(), newFloor);
    counted.headMap(new Key(floor, "")).clear();
    return new Result(growth, shrinks, ignored, new State(floor, counted));
  }

  /** {@code epochSecond} rounded down to a multiple of {@code widthSeconds} (UTC buckets). */
  public static long alignDown(long epochSecond, long widthSeconds) {
    return Math.floorDiv(epochSecond, widthSeconds) * widthSeconds;
  }
}
