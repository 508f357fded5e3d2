package io.pachyderm.replica;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.function.Function;

/**
 * Reading a disk table ({@link StoreTables}) a page at a time, so that no reader holds a whole
 * table in the heap: an iteration that loads the next page when the last one is used up, and a
 * single page after a key. Both read what is committed.
 */
final class DiskTablePages {
  private DiskTablePages() {}

  /** The table's values under {@code prefix} in key order, parsed, read {@code pageItems} at a time. */
  static <K, V> Iterable<Map.Entry<K, V>> paged(StoreTables tables, byte[] prefix, int pageItems,
                                                Function<byte[], Map.Entry<K, V>> parse) {
    return () -> new Iterator<>() {
      private final ArrayDeque<Map.Entry<K, V>> page = new ArrayDeque<>();
      private byte[] fromKey = prefix;
      private boolean last;

      @Override
      public boolean hasNext() {
        if (page.isEmpty() && !last) {
          fill();
        }
        return !page.isEmpty();
      }

      @Override
      public Map.Entry<K, V> next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return page.pollFirst();
      }

      private void fill() {
        byte[][] lastKey = {null};
        tables.forEachFrom(prefix, fromKey, (k, v) -> {
          page.addLast(parse.apply(v));
          lastKey[0] = k;
          return page.size() < pageItems;
        });
        if (page.size() < pageItems) {
          last = true;
        } else {
          fromKey = justAfter(lastKey[0]);
        }
      }
    };
  }

  /** At most {@code max} values under {@code prefix} from {@code fromKey} on, in key order, parsed. */
  static <T> List<T> page(StoreTables tables, byte[] prefix, byte[] fromKey, int max, Function<byte[], T> parse) {
    List<T> page = new ArrayList<>(Math.min(max, 1_024));
    tables.forEachFrom(prefix, fromKey, (k, v) -> {
      page.add(parse.apply(v));
      return page.size() < max;
    });
    return page;
  }

  /** The smallest key after {@code key}: {@code key} with a 0 byte appended. */
  static byte[] justAfter(byte[] key) {
    return Arrays.copyOf(key, key.length + 1);
  }
}
