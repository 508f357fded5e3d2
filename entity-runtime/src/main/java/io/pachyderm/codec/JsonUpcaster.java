package io.pachyderm.codec;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Rewrites the JSON of a value written at schema version {@code n} into version {@code n + 1}.
 * Registered per type and source version; chained until the current version is reached.
 */
@FunctionalInterface
public interface JsonUpcaster {
  ObjectNode upcast(ObjectNode older);
}
