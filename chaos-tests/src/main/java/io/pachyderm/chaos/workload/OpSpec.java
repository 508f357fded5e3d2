package io.pachyderm.chaos.workload;

/**
 * An operation the generator chose, before it is invoked: function, key and argument (null for
 * reads). The vocabulary is the history's ({@code Op.WRITE}, {@code Op.READ}, ...).
 */
public record OpSpec(String f, String key, Long value) {}
