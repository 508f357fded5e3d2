/**
 * The wire format (protobuf messages of commands, log entries, snapshots and journal records):
 * shared by the modules that write or read it, no one's API. Exported to protobuf too, whose
 * generated-message accessors reach the generated classes by reflection.
 *
 * <p>protobuf-java is an automatic module ({@code Automatic-Module-Name: com.google.protobuf}), hence the
 * suppressed lint on requiring it.
 */
@SuppressWarnings({"module", "requires-automatic", "requires-transitive-automatic"})
module io.pachyderm.protocol {
  requires transitive com.google.protobuf;
  requires transitive io.pachyderm.entity;

  exports io.pachyderm.protocol to com.google.protobuf, io.pachyderm.replica, io.pachyderm.simulation, io.pachyderm.storage,
      io.pachyderm.client, io.pachyderm.node, io.pachyderm.local, io.pachyderm.cli, io.pachyderm.chaos,
      io.pachyderm.bench, io.pachyderm.bench.jmh;
}
