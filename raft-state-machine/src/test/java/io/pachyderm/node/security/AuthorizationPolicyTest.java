package io.pachyderm.node.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The policy file's decisions (default deny, exact names and *) and its parser's errors. */
class AuthorizationPolicyTest {
  private static final String POLICY = """
      # identities   operations            ecosystems
      alice          query                 bank       # read-only in bank
      bob,carol      call,query,history    bank,shop
      ops            *                     *
      *              status                *
      auditor        dead-letters          *
      clerk          dead-letters          shop
      """;

  @TempDir
  Path dir;

  private final AuthorizationPolicy policy = AuthorizationPolicy.parse("policy.txt", POLICY);

  @Test
  void anIdentityMayDoWhatARuleGrantsItAndNothingElse() {
    assertThat(policy.allows(List.of("alice"), Operation.QUERY, "bank")).isTrue();
    assertThat(policy.allows(List.of("alice"), Operation.CALL, "bank")).isFalse();
    assertThat(policy.allows(List.of("alice"), Operation.QUERY, "shop")).isFalse();
    assertThat(policy.allows(List.of("alice"), Operation.HISTORY, "bank")).isFalse();
    assertThat(policy.allows(List.of("carol"), Operation.CALL, "shop")).isTrue();
    assertThat(policy.allows(List.of("carol"), Operation.DEAD_LETTERS, "shop")).isFalse();
    assertThat(policy.allows(List.of("ops"), Operation.ADMIN, AuthorizationPolicy.ANY)).isTrue();
    assertThat(policy.allows(List.of("ops"), Operation.CALL, "anything")).isTrue();
    assertThat(policy.allows(List.of("mallory"), Operation.QUERY, "bank")).isFalse();
    // Names are exact: no prefixes, no case folding.
    assertThat(policy.allows(List.of("Alice"), Operation.QUERY, "bank")).isFalse();
    assertThat(policy.allows(List.of("alic"), Operation.QUERY, "bank")).isFalse();
  }

  @Test
  void aWildcardIdentityCoversEveryNamedCertificateButNotOneWithoutAName() {
    assertThat(policy.allows(List.of("mallory"), Operation.STATUS, AuthorizationPolicy.ANY)).isTrue();
    assertThat(policy.allows(List.of(), Operation.STATUS, AuthorizationPolicy.ANY)).isFalse();
  }

  @Test
  void aRequestOnEveryEcosystemNeedsARuleForEveryEcosystem() {
    assertThat(policy.allows(List.of("auditor"), Operation.DEAD_LETTERS, AuthorizationPolicy.ANY)).isTrue();
    assertThat(policy.allows(List.of("clerk"), Operation.DEAD_LETTERS, "shop")).isTrue();
    assertThat(policy.allows(List.of("clerk"), Operation.DEAD_LETTERS, AuthorizationPolicy.ANY)).isFalse();
    assertThat(policy.allows(List.of("bob"), Operation.QUERY, AuthorizationPolicy.ANY)).isFalse();
  }

  @Test
  void anyOfTheCallersNamesMayMatch() {
    assertThat(policy.allows(List.of("nobody", "alice"), Operation.QUERY, "bank")).isTrue();
  }

  @Test
  void anEmptyPolicyDeniesEverything() {
    AuthorizationPolicy empty = AuthorizationPolicy.parse("empty", "# nobody\n\n");
    for (Operation o : Operation.values()) {
      assertThat(empty.allows(List.of("ops"), o, AuthorizationPolicy.ANY)).isFalse();
    }
  }

  @Test
  void parseErrorsNameTheFileTheLineAndWhatIsWrong() {
    assertError("alice query\n", "line 1: expected three columns (identities, operations, ecosystems), found 2");
    assertError("# c\nalice query bank extra\n", "line 2: expected three columns");
    assertError("alice write bank\n", "line 1: unknown operation 'write'; known: call, query, history, dead-letters, "
        + "status, admin, or *");
    assertError("alice query,,history bank\n", "line 1: empty item in the operations column");
    assertError("al/ice query bank\n", "line 1: identity 'al/ice' must be *");
    assertError("alice query bad/eco\n", "line 1: ecosystem name 'bad/eco'");
    assertError("\n\nops status bank\n", "line 3: operation 'status' acts on the whole node");
    assertError("ops admin,query bank\n", "line 1: operation 'admin' acts on the whole node");
  }

  @Test
  void aFileIsReadWithItsNameInErrors() throws Exception {
    Path file = dir.resolve("policy.txt");
    Files.writeString(file, "alice query bank\n");
    assertThat(AuthorizationPolicy.read(file).allows(List.of("alice"), Operation.QUERY, "bank")).isTrue();
    Files.writeString(file, "alice query\n");
    assertThatThrownBy(() -> AuthorizationPolicy.read(file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("authorization policy " + file + ", line 1: expected three columns");
    Path missing = dir.resolve("missing.txt");
    assertThatThrownBy(() -> AuthorizationPolicy.read(missing)).hasMessageContaining(missing.toString());
  }

  private static void assertError(String text, String expected) {
    assertThatThrownBy(() -> AuthorizationPolicy.parse("p.txt", text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("authorization policy p.txt, ")
        .hasMessageContaining(expected);
  }
}
