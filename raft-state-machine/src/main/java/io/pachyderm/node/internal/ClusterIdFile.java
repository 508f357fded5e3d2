package io.pachyderm.node.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.ratis.protocol.RaftGroupId;

/**
 * The cluster id a data directory belongs to, in {@code <data>/cluster-id}: written at the first
 * start, read at every later one, so a node keeps its cluster's id whatever peer list it is given
 * later (a stale or edited list cannot move it into another cluster, whose nodes then refuse its
 * Raft group). A data directory from before the file existed adopts the one group directory Ratis
 * keeps under {@code raft/}, so existing clusters keep their id.
 */
public final class ClusterIdFile {
  public static final String FILE_NAME = "cluster-id";

  private ClusterIdFile() {}

  /**
   * @param configured the id from this start's settings (explicit, or derived from the peers)
   * @param explicit whether {@code configured} was given explicitly: then a different stored id is
   *     a misconfiguration and is refused; a derived one yields to the stored id
   * @return the id to run with
   * @throws IllegalStateException naming both ids when an explicit id disagrees with the data directory
   */
  public static RaftGroupId resolve(String nodeId, Path dataDir, RaftGroupId configured, boolean explicit) {
    Path file = dataDir.resolve(FILE_NAME);
    try {
      Files.createDirectories(dataDir);
      RaftGroupId stored = Files.exists(file) ? parse(file) : adoptExisting(dataDir);
      if (stored == null) {
        write(file, configured);
        return configured;
      }
      if (!Files.exists(file)) {
        write(file, stored);
      }
      if (explicit && !stored.equals(configured)) {
        throw new IllegalStateException("node " + nodeId + ": the data directory " + dataDir + " belongs to cluster "
            + stored.getUuid() + " (" + file + "), but this node was configured for cluster " + configured.getUuid()
            + "; give it an empty data directory to join that cluster, or the id of the cluster its data is from");
      }
      return stored;
    } catch (IOException e) {
      throw new UncheckedIOException("node " + nodeId + ": cannot read or write the cluster id file " + file, e);
    }
  }

  private static RaftGroupId parse(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.UTF_8).trim();
    try {
      return RaftGroupId.valueOf(UUID.fromString(text));
    } catch (IllegalArgumentException e) {
      throw new IOException(file + " holds '" + text + "', not a cluster id (a UUID)", e);
    }
  }

  /** The group of a data directory written before {@code cluster-id} existed, or null if none. */
  private static RaftGroupId adoptExisting(Path dataDir) throws IOException {
    Path raft = dataDir.resolve("raft");
    if (!Files.isDirectory(raft)) {
      return null;
    }
    List<UUID> groups = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(raft)) {
      for (Path d : dirs.filter(Files::isDirectory).toList()) {
        try {
          groups.add(UUID.fromString(d.getFileName().toString()));
        } catch (IllegalArgumentException notAGroup) {
          // Ratis keeps only group directories here; anything else is not ours to judge.
        }
      }
    }
    if (groups.size() > 1) {
      throw new IOException(raft + " holds " + groups.size() + " Raft groups " + groups
          + "; a Pachyderm node has one: write the right one into " + dataDir.resolve(FILE_NAME));
    }
    return groups.isEmpty() ? null : RaftGroupId.valueOf(groups.get(0));
  }

  /** Written to a temporary file and moved: a crash leaves the old file or the whole new one. */
  private static void write(Path file, RaftGroupId id) throws IOException {
    Path tmp = file.resolveSibling(FILE_NAME + ".tmp");
    Files.writeString(tmp, id.getUuid() + "\n", StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
