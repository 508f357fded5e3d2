package io.pachyderm.chaos.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Namespaces are created, partitioned, healed and always removed, leftovers of crashed runs included. */
class NetnsHostsTest {
  @BeforeAll
  static void namespacesAvailable() {
    Optional<String> why = NetnsHosts.unavailableReason();
    assumeTrue(why.isEmpty(), () -> "namespace tests skipped: " + why.orElse(""));
  }

  @Test
  @Timeout(60)
  void hostsAreCreatedPartitionedHealedAndRemoved() {
    String ns;
    try (NetnsHosts hosts = NetnsHosts.create(3)) {
      ns = hosts.namespace(2);
      assertThat(Shell.run(List.of("ip", "netns", "list")).output()).contains(ns);
      assertThat(Shell.run(hosts.inNamespace(2, List.of("ip", "-o", "addr", "show", "eth0"))).output())
          .contains(hosts.address(2) + "/24");

      hosts.drop(2, 1);
      assertThat(rules(hosts)).contains("-A INPUT -s " + hosts.address(1) + "/32 -j DROP");
      hosts.healAll();
      assertThat(rules(hosts)).doesNotContain("DROP");
    }
    assertThat(Shell.run(List.of("ip", "netns", "list")).output()).doesNotContain(ns);
  }

  @Test
  @Timeout(60)
  void leftoversOfACrashedRunAreRemovedWithTheirProcesses() throws Exception {
    // Slot 99 is outside the slots runs take, so this cannot touch a run in progress.
    int slot = 99;
    Shell.run(List.of("ip", "netns", "add", "pchy99-n1"));
    Shell.run(List.of("ip", "link", "add", "pchy99-br", "type", "bridge"));
    Shell.run(List.of("ip", "link", "add", "pchy99-v1", "type", "veth", "peer", "name", "eth0", "netns", "pchy99-n1"));
    Process orphan = new ProcessBuilder("ip", "netns", "exec", "pchy99-n1", "sleep", "300").start();
    try {
      NetnsHosts.removeLeftovers(slot);
      assertThat(orphan.waitFor(10, TimeUnit.SECONDS)).as("the orphan node process was killed").isTrue();
      assertThat(Shell.run(List.of("ip", "netns", "list")).output()).doesNotContain("pchy99-");
      assertThat(Shell.run(List.of("ip", "-o", "link", "show")).output()).doesNotContain("pchy99-");
    } finally {
      orphan.destroyForcibly();
      NetnsHosts.removeLeftovers(slot);
    }
  }

  private static String rules(NetnsHosts hosts) {
    return Shell.run(hosts.inNamespace(2, List.of("iptables", "-S", "INPUT"))).output();
  }
}
