package io.pachyderm.node;

import io.pachyderm.client.PachydermClient;
import io.pachyderm.cluster.Peer;
import io.pachyderm.cluster.internal.LoopbackPorts;
import io.pachyderm.node.settings.StateStoreKind;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * The data directory of a single HEAP node as the released code writes it (Raft log, a format 2
 * snapshot, the cluster id; no {@code state/}), zipped as a test resource for
 * {@link ReleasedFormatMigrationTest}. {@link #main} wrote {@value #RESOURCE} on the code of the
 * merge base of issue 14's faults step (commit 67f22cd), before any format change of that day:
 * {@code mvn -pl raft-state-machine -am test-compile}, then run this class on the test classpath
 * with the resource directory as argument. Never regenerate it on newer code: the fixture is the
 * old format, which a format change must keep reading.
 *
 * <p>What it holds: {@value #CALLS} appends to {@value #DOCUMENTS} {@link TestDocument}s, call
 * {@code i} appending {@code "page-i"} to {@code "doc-(i % DOCUMENTS)"}; snapshots every
 * {@value #SNAPSHOT_THRESHOLD} entries. The snapshot the node takes as it closes is left out, as a
 * kill -9 would leave the directory, so the last calls are in the log only, after the latest
 * snapshot: opening the fixture loads a format 2 snapshot and replays log entries on top. The
 * journal directory is left out too (a node makes an empty one; Chronicle's preallocated files
 * would make the zip large).
 */
final class ReleasedFormatFixture {
  static final String RESOURCE = "released-format-2-heap.zip";
  static final int DOCUMENTS = 12;
  static final int CALLS = 53;
  static final int SNAPSHOT_THRESHOLD = 20;
  static final String NODE = "n1";
  private static final String JOURNAL_DIR = "journal";

  private ReleasedFormatFixture() {}

  /** The pages {@code doc-d} holds once every call of the fixture has been applied. */
  static List<String> expectedPages(int document) {
    List<String> pages = new ArrayList<>();
    for (int i = document; i < CALLS; i += DOCUMENTS) {
      pages.add("page-" + i);
    }
    return pages;
  }

  /** Writes the fixture's data directory on this code and zips it to {@code args[0]/RESOURCE}. */
  public static void main(String[] args) throws Exception {
    Path work = Files.createTempDirectory("released-format");
    Path data = work.resolve(NODE);
    List<Peer> peers = List.of(new Peer(NODE, "127.0.0.1:" + LoopbackPorts.free()));
    try (PachydermNode node = PachydermNode.builder(NODE, peers, data).entityTypes(TestDocument.TYPES)
             .stateStore(StateStoreKind.HEAP).snapshotThresholdEntries(SNAPSHOT_THRESHOLD)
             .electionTimeoutMin(Duration.ofMillis(400)).diskReserveBytes(0).build().start();
         PachydermClient client = PachydermClient.builder(peers).entityTypes(TestDocument.TYPES)
             .requestTimeout(Duration.ofSeconds(30)).build()) {
      for (int i = 0; i < CALLS; i++) {
        client.call(TestDocument.TYPE.ref("doc-" + (i % DOCUMENTS)), new TestDocument.Append("page-" + i));
      }
    }
    Path zip = Path.of(args[0]).resolve(RESOURCE);
    zip(data, closingSnapshot(data), zip);
    System.out.println("wrote " + zip + " (" + Files.size(zip) + " bytes)");
  }

  /** The name of the newest snapshot file ({@code snapshot.<term>_<index>}): the one close took. */
  private static String closingSnapshot(Path data) throws IOException {
    String newest = null;
    long newestIndex = -1;
    try (Stream<Path> files = Files.walk(data)) {
      for (Path file : files.toList()) {
        String name = file.getFileName().toString();
        if (name.matches("snapshot\\.\\d+_\\d+")) {
          long index = Long.parseLong(name.substring(name.indexOf('_') + 1));
          if (index > newestIndex) {
            newestIndex = index;
            newest = name;
          }
        }
      }
    }
    if (newest == null) {
      throw new IllegalStateException("the node took no snapshot under " + data);
    }
    return newest;
  }

  private static void zip(Path data, String leftOut, Path zip) throws IOException {
    try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip));
         Stream<Path> files = Files.walk(data)) {
      for (Path file : files.sorted().toList()) {
        Path relative = data.relativize(file);
        if (!Files.isRegularFile(file) || relative.startsWith(JOURNAL_DIR)
            || file.getFileName().toString().endsWith(".lock")
            || file.getFileName().toString().startsWith(leftOut)) {
          continue;
        }
        out.putNextEntry(new ZipEntry(relative.toString().replace('\\', '/')));
        Files.copy(file, out);
        out.closeEntry();
      }
    }
  }

  /** Unzips the fixture into {@code data}, which must not exist yet. */
  static void unzipTo(Path data) throws IOException {
    try (InputStream resource = ReleasedFormatFixture.class.getResourceAsStream(RESOURCE)) {
      if (resource == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the test classpath");
      }
      try (ZipInputStream in = new ZipInputStream(resource)) {
        for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
          Path target = data.resolve(entry.getName()).normalize();
          if (!target.startsWith(data)) {
            throw new IllegalStateException(RESOURCE + " names a path outside the data dir: " + entry.getName());
          }
          Files.createDirectories(target.getParent());
          try (OutputStream file = Files.newOutputStream(target)) {
            in.transferTo(file);
          }
        }
      }
    }
  }
}
