package io.pachyderm.node.security;

import io.pachyderm.runtime.EntityKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which client identities may do which {@link Operation}s in which ecosystems: a node's policy
 * file. Default deny: a request is allowed only when some rule names one of the caller's identities
 * (or {@code *}), its operation (or {@code *}) and its ecosystem (or {@code *}).
 *
 * <p>The file has one rule a line, three whitespace-separated columns, each a comma-separated list;
 * {@code #} starts a comment:
 * <pre>
 * # identities   operations            ecosystems
 * alice          call,query,history    bank
 * reporter       query,history         *
 * ops            *                     *
 * *              status                *
 * </pre>
 * An identity is the {@code <name>} of a certificate's URI SAN {@code pachyderm:client:<name>} or
 * {@code pachyderm:admin:<name>} ({@link Identities#policyNames}); {@code *} is any certificate that
 * names one. A certificate with neither is never allowed anything. Operations: {@code call},
 * {@code query}, {@code history}, {@code dead-letters}, {@code status}, {@code admin}, or {@code *}.
 * {@code status} and {@code admin} act on the whole node, so their rules must say {@code *} for
 * ecosystems; listing dead letters shows every ecosystem's, so it needs a {@code dead-letters} rule
 * with {@code *} (redrive and discard need the dead letter's own ecosystem).
 *
 * <p>Immutable and thread-safe.
 */
public final class AuthorizationPolicy {
  /** In a rule: any identity, operation or ecosystem. As a request's ecosystem: all of them. */
  public static final String ANY = "*";
  /** A policy file larger than this is refused: it is typed by people, not generated. */
  static final long FILE_BYTES_MAX = 1 << 20;

  private static final Pattern IDENTITY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,127}");

  /** One line of the file. Sets of names; {@code ANY} stands for all. */
  record Rule(Set<String> identities, Set<Operation> operations, Set<String> ecosystems, int line) {
    boolean covers(List<String> names, Operation operation, String ecosystem) {
      if (!operations.contains(operation)) {
        return false;
      }
      if (!ecosystems.contains(ANY) && (ecosystem.equals(ANY) || !ecosystems.contains(ecosystem))) {
        return false;
      }
      if (identities.contains(ANY)) {
        return !names.isEmpty();
      }
      for (String name : names) {
        if (identities.contains(name)) {
          return true;
        }
      }
      return false;
    }
  }

  private final String source;
  private final List<Rule> rules;

  private AuthorizationPolicy(String source, List<Rule> rules) {
    this.source = source;
    this.rules = List.copyOf(rules);
  }

  /**
   * Reads and checks a policy file.
   *
   * @throws IllegalArgumentException naming the file, the line and what is wrong, for a file that
   *     does not parse
   * @throws UncheckedIOException when the file cannot be read
   */
  public static AuthorizationPolicy read(Path file) {
    Objects.requireNonNull(file, "policy file");
    String text;
    try {
      long size = Files.size(file);
      if (size > FILE_BYTES_MAX) {
        throw new IllegalArgumentException("authorization policy " + file + ": " + size + " bytes, more than the "
            + FILE_BYTES_MAX + " a policy file may have");
      }
      text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file))).toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("authorization policy " + file + ": not UTF-8 text", e);
    } catch (IOException e) {
      throw new UncheckedIOException("authorization policy " + file + ": cannot read it: " + e.getMessage(), e);
    }
    return parse(file.toString(), text);
  }

  /** Parses a policy's text; {@code source} names it in errors (a file name). */
  public static AuthorizationPolicy parse(String source, String text) {
    List<Rule> rules = new ArrayList<>();
    String[] lines = text.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      int lineNumber = i + 1;
      String line = lines[i];
      int comment = line.indexOf('#');
      if (comment >= 0) {
        line = line.substring(0, comment);
      }
      line = line.strip();
      if (line.isEmpty()) {
        continue;
      }
      String[] columns = line.split("\\s+");
      if (columns.length != 3) {
        throw error(source, lineNumber, "expected three columns (identities, operations, ecosystems), found "
            + columns.length + " in '" + line + "'");
      }
      rules.add(rule(source, lineNumber, columns));
    }
    return new AuthorizationPolicy(source, rules);
  }

  private static Rule rule(String source, int line, String[] columns) {
    Set<String> identities = new LinkedHashSet<>();
    for (String name : items(source, line, "identities", columns[0])) {
      if (!name.equals(ANY) && !IDENTITY.matcher(name).matches()) {
        throw error(source, line, "identity '" + name + "' must be * or 1..128 letters, digits, '.', '_', '@' or '-', "
            + "starting with a letter or digit (the <name> of a certificate's URI:pachyderm:client:<name>)");
      }
      identities.add(name);
    }
    Set<Operation> operations = EnumSet.noneOf(Operation.class);
    for (String name : items(source, line, "operations", columns[1])) {
      if (name.equals(ANY)) {
        operations.addAll(EnumSet.allOf(Operation.class));
        continue;
      }
      Operation operation = Operation.ofPolicyName(name);
      if (operation == null) {
        throw error(source, line, "unknown operation '" + name + "'; known: " + knownOperations() + ", or *");
      }
      operations.add(operation);
    }
    Set<String> ecosystems = new LinkedHashSet<>();
    for (String name : items(source, line, "ecosystems", columns[2])) {
      if (!name.equals(ANY)) {
        try {
          EntityKey.requireValidEcosystem(name);
        } catch (IllegalArgumentException e) {
          throw error(source, line, e.getMessage());
        }
      }
      ecosystems.add(name);
    }
    if (!ecosystems.contains(ANY)) {
      for (Operation operation : operations) {
        if (operation.clusterWide()) {
          throw error(source, line, "operation '" + operation.policyName() + "' acts on the whole node, not on an "
              + "ecosystem: give * as its ecosystems, or put it on a line of its own with *");
        }
      }
    }
    return new Rule(Set.copyOf(identities), Set.copyOf(operations), Set.copyOf(ecosystems), line);
  }

  private static List<String> items(String source, int line, String column, String text) {
    List<String> items = new ArrayList<>();
    for (String item : text.split(",", -1)) {
      if (item.isEmpty()) {
        throw error(source, line, "empty item in the " + column + " column '" + text + "'");
      }
      items.add(item);
    }
    return items;
  }

  private static String knownOperations() {
    StringBuilder b = new StringBuilder();
    for (Operation o : Operation.values()) {
      b.append(b.length() == 0 ? "" : ", ").append(o.policyName());
    }
    return b.toString();
  }

  private static IllegalArgumentException error(String source, int line, String what) {
    return new IllegalArgumentException("authorization policy " + source + ", line " + line + ": " + what);
  }

  /**
   * The decision for one request, without IO.
   *
   * @param names the caller's identities ({@link Identities#policyNames}); empty: allowed nothing
   * @param ecosystem the ecosystem the request acts in, or {@link #ANY} for one that acts on all
   *     of them (or on none: status, admin), which only a rule with {@code *} ecosystems covers
   */
  public boolean allows(List<String> names, Operation operation, String ecosystem) {
    Objects.requireNonNull(operation, "operation");
    Objects.requireNonNull(ecosystem, "ecosystem");
    for (Rule rule : rules) {
      if (rule.covers(names, operation, ecosystem)) {
        return true;
      }
    }
    return false;
  }

  /** Rules in file order. */
  int ruleCount() {
    return rules.size();
  }

  /** Where the policy came from (its file), for log lines. */
  public String source() {
    return source;
  }

  @Override
  public String toString() {
    return "AuthorizationPolicy[" + source + ", " + rules.size() + " rules]";
  }
}
