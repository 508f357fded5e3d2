/**
 * The disk state store (RocksDB behind a cache of hot entities): the node's, not an API of its own,
 * so it is exported only to the node, which chooses it ({@code StateStoreKind.DISK}).
 */
@SuppressWarnings({"module", "requires-automatic"})
module io.pachyderm.statestore {
  requires io.pachyderm.replica;
  requires rocksdbjni;

  exports io.pachyderm.statestore to io.pachyderm.node;
}
