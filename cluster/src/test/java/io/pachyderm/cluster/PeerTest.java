package io.pachyderm.cluster;

import io.pachyderm.cluster.internal.RatisCluster;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.apache.ratis.protocol.RaftPeer;
import org.junit.jupiter.api.Test;

class PeerTest {
  @Test
  void aPeerWithoutPortOptionsServesEverythingOnOnePort() {
    Peer n1 = Peer.parseList("n1=10.0.0.1:7001").get(0);

    assertThat(n1).isEqualTo(new Peer("n1", "10.0.0.1:7001"));
    assertThat(n1.separatePorts()).isFalse();
    assertThat(n1.clientAddress()).isEqualTo("10.0.0.1:7001");
    assertThat(n1.adminAddress()).isEqualTo("10.0.0.1:7001");
    assertThat(n1).hasToString("n1=10.0.0.1:7001");
  }

  @Test
  void bareClientPortIsOnThePeerHostAndBareAdminPortOnLoopback() {
    Peer n1 = Peer.parseList("n1=10.0.0.1:7001;client=7101;admin=7201").get(0);

    assertThat(n1.separatePorts()).isTrue();
    assertThat(n1.address()).isEqualTo("10.0.0.1:7001");
    assertThat(n1.clientAddress()).isEqualTo("10.0.0.1:7101");
    assertThat(n1.adminAddress()).isEqualTo("127.0.0.1:7201");
    assertThat(n1.adminHost()).isEqualTo(Peer.ADMIN_HOST_DEFAULT);
    assertThat(n1.clientPort()).isEqualTo(7101);
  }

  @Test
  void portOptionsTakeAHostAndAnyOrder() {
    Peer n1 = Peer.parseList(" n1=10.0.0.1:7001 ; admin=10.9.0.1:7201 ; client=client.example:7101 ").get(0);

    assertThat(n1.clientAddress()).isEqualTo("client.example:7101");
    assertThat(n1.adminAddress()).isEqualTo("10.9.0.1:7201");
  }

  @Test
  void toStringParsesBackToTheSamePeers() {
    List<Peer> peers = Peer.parseList("n1=10.0.0.1:7001;client=7101;admin=7201,n2=10.0.0.2:7001;client=7101;admin=7201");

    String spec = String.join(",", peers.stream().map(Peer::toString).toList());

    assertThat(spec).isEqualTo("n1=10.0.0.1:7001;client=10.0.0.1:7101;admin=127.0.0.1:7201,"
        + "n2=10.0.0.2:7001;client=10.0.0.2:7101;admin=127.0.0.1:7201");
    assertThat(Peer.parseList(spec)).isEqualTo(peers);
  }

  @Test
  void theRatisPeerCarriesTheClientAndAdminAddresses() {
    RaftPeer raft = RatisCluster.raftPeer(Peer.parseList("n1=10.0.0.1:7001;client=7101;admin=7201").get(0));

    assertThat(raft.getAddress()).isEqualTo("10.0.0.1:7001");
    assertThat(raft.getClientAddress()).isEqualTo("10.0.0.1:7101");
    assertThat(raft.getAdminAddress()).isEqualTo("127.0.0.1:7201");
  }

  @Test
  void onlyOneOfClientAndAdminIsRefused() {
    assertThatThrownBy(() -> Peer.parseList("n1=10.0.0.1:7001;client=7101"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("peer n1")
        .hasMessageContaining("gives client= but not admin=");
    assertThatThrownBy(() -> Peer.parseList("n1=10.0.0.1:7001;admin=7201"))
        .hasMessageContaining("gives admin= but not client=");
  }

  @Test
  void unknownRepeatedOrEmptyPartsAreRefusedByName() {
    assertThatThrownBy(() -> Peer.parseList("n1=10.0.0.1:7001;clinet=7101;admin=7201"))
        .hasMessageContaining("unknown part 'clinet=7101'");
    assertThatThrownBy(() -> Peer.parseList("n1=10.0.0.1:7001;client=7101;client=7102;admin=7201"))
        .hasMessageContaining("client= given twice");
    assertThatThrownBy(() -> Peer.parseList("n1=10.0.0.1:7001;client=;admin=7201"))
        .hasMessageContaining("client= needs a port");
    assertThatThrownBy(() -> Peer.parseList("n1=10.0.0.1:7001;client=7101;admin=99999"))
        .hasMessageContaining("admin address port 99999 is outside 1..65535");
    assertThatThrownBy(() -> Peer.parseList("n1=10.0.0.1:7001;client=host:x;admin=7201"))
        .hasMessageContaining("port of client address 'host:x' is not a number");
    assertThatThrownBy(() -> Peer.parseList("n1;client=7101=10.0.0.1:7001"))
        .hasMessageContaining("must be id=host:port");
  }

  @Test
  void portsThatCoincideAreRefused() {
    assertThatThrownBy(() -> Peer.parseList("n1=10.0.0.1:7001;client=7001;admin=7201"))
        .hasMessageContaining("must be all the same address (one port) or three different ones");
    assertThatThrownBy(() -> new Peer("n1", "127.0.0.1:7001", "127.0.0.1:7101", "127.0.0.1:7101"))
        .hasMessageContaining("three different ones");
  }

  @Test
  void aListMixingOnePortAndSeparatePortPeersIsRefused() {
    assertThatThrownBy(() -> Peer.parseList("n1=10.0.0.1:7001;client=7101;admin=7201,n2=10.0.0.2:7001"))
        .hasMessageContaining("mix one-port and separate-port entries");
  }

  @Test
  void theOnePortErrorsStayAsTheyWere() {
    assertThatThrownBy(() -> Peer.parseList("n1=localhost")).hasMessageContaining("address 'localhost' must be host:port");
    assertThatThrownBy(() -> Peer.parseList("127.0.0.1:7001")).hasMessageContaining("must be id=host:port");
    assertThatThrownBy(() -> Peer.parseList("n1=a:1,n1=b:2")).hasMessageContaining("duplicate peer ids");
  }
}
