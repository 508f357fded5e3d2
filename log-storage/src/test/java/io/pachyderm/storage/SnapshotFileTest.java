package io.pachyderm.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.google.protobuf.ByteString;
import io.pachyderm.protocol.Applied;
import io.pachyderm.protocol.DedupSnapshot;
import io.pachyderm.protocol.EntitySnapshot;
import io.pachyderm.protocol.Outcome;
import io.pachyderm.protocol.OutboxCounter;
import io.pachyderm.protocol.OutboxItem;
import io.pachyderm.protocol.Payload;
import io.pachyderm.protocol.PendingMessage;
import io.pachyderm.protocol.PendingTimer;
import io.pachyderm.protocol.Ref;
import io.pachyderm.protocol.Rejection;
import io.pachyderm.protocol.RejectionKind;
import io.pachyderm.protocol.RequestId;
import io.pachyderm.protocol.SnapshotHeader;
import io.pachyderm.protocol.SnapshotTrailer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotFileTest {
  @TempDir
  Path dir;

  record Contents(SnapshotHeader header, List<EntitySnapshot> entities, List<DedupSnapshot> dedup) {}

  private static SnapshotHeader header(long entities, long dedup) {
    return SnapshotHeader.newBuilder()
        .setFormatVersion(SnapshotWriter.FORMAT_VERSION)
        .setLastAppliedTerm(3)
        .setLastAppliedIndex(1234)
        .setEntities(entities)
        .setDedupEntries(dedup)
        .build();
  }

  private static Payload json(String type, String body) {
    return Payload.newBuilder().setType(type).setSchemaVersion(1)
        .setData(ByteString.copyFrom(body, StandardCharsets.UTF_8)).build();
  }

  /** Balances are 100000 + i, so every state holds a distinctive run of digits. */
  private static EntitySnapshot entity(int i) {
    return EntitySnapshot.newBuilder()
        .setRef(Ref.newBuilder().setEcosystem("prod").setType("account").setId("acct-" + i))
        .setVersion(10L * i + 1)
        .setState(json("Account", "{\"balanceCents\":" + (100_000 + i) + "}"))
        .build();
  }

  /** Every third outcome is a rejection, so both kinds of outcome go through the file. */
  private static DedupSnapshot dedup(int i) {
    RequestId id = RequestId.newBuilder().setClientHi(0xCAFEL).setClientLo(-i).setSequence(i).build();
    Outcome.Builder outcome = Outcome.newBuilder().setRequestId(id);
    if (i % 3 == 0) {
      outcome.setRejected(Rejection.newBuilder().setKind(RejectionKind.REJECTED_BY_ENTITY).setMessage("no " + i));
    } else {
      outcome.setApplied(Applied.newBuilder().setVersion(i).setReplyIsState(true)
          .setReply(json("Account", "{\"balanceCents\":" + i + "}")));
    }
    return DedupSnapshot.newBuilder().setRequestId(id).setOutcome(outcome).build();
  }

  private static List<EntitySnapshot> entities(int n) {
    List<EntitySnapshot> list = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      list.add(entity(i));
    }
    return list;
  }

  private static List<DedupSnapshot> dedups(int m) {
    List<DedupSnapshot> list = new ArrayList<>();
    for (int i = 0; i < m; i++) {
      list.add(dedup(i));
    }
    return list;
  }

  private static void write(Path path, List<EntitySnapshot> entities, List<DedupSnapshot> dedup) throws IOException {
    try (SnapshotWriter writer = new SnapshotWriter(path, header(entities.size(), dedup.size()))) {
      for (EntitySnapshot e : entities) {
        writer.writeEntity(e);
      }
      for (DedupSnapshot d : dedup) {
        writer.writeDedup(d);
      }
      writer.commit();
    }
  }

  /** Reads everything and verifies, the way a node loads a snapshot. */
  private static Contents readAll(Path path) throws IOException {
    try (SnapshotReader reader = new SnapshotReader(path)) {
      List<EntitySnapshot> entities = new ArrayList<>();
      for (EntitySnapshot e = reader.nextEntity(); e != null; e = reader.nextEntity()) {
        entities.add(e);
      }
      List<DedupSnapshot> dedup = new ArrayList<>();
      for (DedupSnapshot d = reader.nextDedup(); d != null; d = reader.nextDedup()) {
        dedup.add(d);
      }
      while (reader.nextOutbox() != null) {
        // drained so that verify() sees every record (a damaged header may announce some)
      }
      reader.verify();
      return new Contents(reader.header(), entities, dedup);
    }
  }

  private Path sampleFile() throws IOException {
    Path path = dir.resolve("sample.snap");
    write(path, entities(5), dedups(4));
    return path;
  }

  private List<String> filesInDir() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
        return i;
      }
    }
    throw new AssertionError("not found: " + new String(needle, StandardCharsets.UTF_8));
  }

  @Test
  void manyEntitiesAndDedupRecordsRoundTripInOrder() throws IOException {
    Path path = dir.resolve("snapshot.1234");
    List<EntitySnapshot> entities = entities(300);
    List<DedupSnapshot> dedup = dedups(120);

    write(path, entities, dedup);
    Contents read = readAll(path);

    assertThat(read.header()).isEqualTo(header(300, 120));
    assertThat(read.entities()).containsExactlyElementsOf(entities);
    assertThat(read.dedup()).containsExactlyElementsOf(dedup);
  }

  @Test
  void anEmptySnapshotRoundTrips() throws IOException {
    Path path = dir.resolve("empty.snap");

    write(path, List.of(), List.of());
    Contents read = readAll(path);

    assertThat(read.header()).isEqualTo(header(0, 0));
    assertThat(read.entities()).isEmpty();
    assertThat(read.dedup()).isEmpty();
  }

  @Test
  void aSnapshotWithEntitiesButNoDedupRecordsRoundTrips() throws IOException {
    Path path = dir.resolve("entities-only.snap");

    write(path, entities(3), List.of());

    assertThat(readAll(path).entities()).containsExactlyElementsOf(entities(3));
  }

  @Test
  void aSnapshotWithDedupRecordsButNoEntitiesRoundTrips() throws IOException {
    Path path = dir.resolve("dedup-only.snap");

    write(path, List.of(), dedups(3));

    assertThat(readAll(path).dedup()).containsExactlyElementsOf(dedups(3));
  }

  @Test
  void aFileCutShortAtEveryPossibleLengthIsRejectedNamingTheFile() throws IOException {
    byte[] whole = Files.readAllBytes(sampleFile());
    Path cut = dir.resolve("cut.snap");

    for (int length = 0; length < whole.length; length++) {
      Files.write(cut, Arrays.copyOf(whole, length));
      assertThat(catchThrowable(() -> readAll(cut)))
          .as("file cut to %d of %d bytes", length, whole.length)
          .isInstanceOf(SnapshotFormatException.class)
          .hasMessageContaining(cut.toString());
    }
  }

  @Test
  void everySingleBitFlipAnywhereInTheFileIsRejectedNamingTheFile() throws IOException {
    byte[] whole = Files.readAllBytes(sampleFile());
    Path flipped = dir.resolve("flipped.snap");

    for (int i = 0; i < whole.length; i++) {
      for (int bit = 0; bit < 8; bit++) {
        byte[] bytes = whole.clone();
        bytes[i] ^= (byte) (1 << bit);
        Files.write(flipped, bytes);
        assertThat(catchThrowable(() -> readAll(flipped)))
            .as("bit %d of byte %d of %d flipped", bit, i, whole.length)
            .isInstanceOf(SnapshotFormatException.class)
            .hasMessageContaining(flipped.toString());
      }
    }
  }

  @Test
  void aChangedDigitInAnEntityStateIsCaughtByTheCrcAtVerify() throws IOException {
    Path path = sampleFile();
    byte[] bytes = Files.readAllBytes(path);
    int at = indexOf(bytes, "100003".getBytes(StandardCharsets.UTF_8));
    bytes[at + 5] = '9';
    Files.write(path, bytes);

    try (SnapshotReader reader = new SnapshotReader(path)) {
      // The records still parse; only verify() can tell that they are not what was written.
      List<EntitySnapshot> read = new ArrayList<>();
      for (EntitySnapshot e = reader.nextEntity(); e != null; e = reader.nextEntity()) {
        read.add(e);
      }
      while (reader.nextDedup() != null) {
        // drain
      }
      assertThat(read.get(3).getState().getData().toStringUtf8()).contains("100009");
      assertThatThrownBy(reader::verify)
          .isInstanceOf(SnapshotFormatException.class)
          .hasMessageContaining("CRC32C mismatch")
          .hasMessageContaining(path.toString());
    }
  }

  @Test
  void aChangedByteInTheCrcTrailerIsAMismatch() throws IOException {
    Path path = sampleFile();
    byte[] bytes = Files.readAllBytes(path);
    bytes[bytes.length - 1] ^= 0x40;
    Files.write(path, bytes);

    assertThatThrownBy(() -> readAll(path))
        .isInstanceOf(SnapshotFormatException.class)
        .hasMessageContaining("CRC32C mismatch");
  }

  @Test
  void bytesAfterTheTrailerAreRejected() throws IOException {
    Path path = sampleFile();
    try (OutputStream out = Files.newOutputStream(path, java.nio.file.StandardOpenOption.APPEND)) {
      out.write(0);
    }

    assertThatThrownBy(() -> readAll(path))
        .isInstanceOf(SnapshotFormatException.class)
        .hasMessageContaining("trailing bytes");
  }

  @Test
  void anUnknownFormatVersionIsRejectedNamingBothVersions() throws IOException {
    Path path = dir.resolve("future.snap");
    try (OutputStream out = Files.newOutputStream(path)) {
      header(0, 0).toBuilder().setFormatVersion(SnapshotWriter.CHECKPOINT_FORMAT_VERSION + 1).build().writeDelimitedTo(out);
    }

    assertThatThrownBy(() -> new SnapshotReader(path))
        .isInstanceOf(SnapshotFormatException.class)
        .hasMessageContaining(path.toString())
        .hasMessageContaining("format version " + (SnapshotWriter.CHECKPOINT_FORMAT_VERSION + 1))
        .hasMessageContaining("reads 1.." + SnapshotWriter.CHECKPOINT_FORMAT_VERSION);
  }

  @Test
  void anEmptyFileIsRejected() throws IOException {
    Path path = dir.resolve("zero.snap");
    Files.write(path, new byte[0]);

    assertThatThrownBy(() -> new SnapshotReader(path))
        .isInstanceOf(SnapshotFormatException.class)
        .hasMessageContaining("empty file");
  }

  @Test
  void verifyingBeforeEveryRecordWasReadIsAProgrammingError() throws IOException {
    Path path = sampleFile();

    try (SnapshotReader reader = new SnapshotReader(path)) {
      reader.nextEntity();
      assertThatThrownBy(reader::nextDedup).isInstanceOf(IllegalStateException.class);
      assertThatThrownBy(reader::verify).isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void theWriterRefusesADedupRecordBeforeEveryEntityWasWritten() throws IOException {
    try (SnapshotWriter writer = new SnapshotWriter(dir.resolve("s"), header(2, 1))) {
      writer.writeEntity(entity(0));

      assertThatThrownBy(() -> writer.writeDedup(dedup(0)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("dedup record out of place");
    }
  }

  @Test
  void theWriterRefusesMoreRecordsThanTheHeaderAnnounced() throws IOException {
    try (SnapshotWriter writer = new SnapshotWriter(dir.resolve("s"), header(1, 1))) {
      writer.writeEntity(entity(0));
      assertThatThrownBy(() -> writer.writeEntity(entity(1)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("entity record out of place");

      writer.writeDedup(dedup(0));
      assertThatThrownBy(() -> writer.writeDedup(dedup(1)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("dedup record out of place");
    }
  }

  @Test
  void theWriterRefusesAnEntityRecordAfterADedupRecord() throws IOException {
    try (SnapshotWriter writer = new SnapshotWriter(dir.resolve("s"), header(1, 1))) {
      writer.writeEntity(entity(0));
      writer.writeDedup(dedup(0));

      assertThatThrownBy(() -> writer.writeEntity(entity(1)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("entity record out of place");
    }
  }

  @Test
  void committingWithMissingRecordsIsRefusedAndLeavesNoFileBehind() throws IOException {
    Path target = dir.resolve("snapshot.77");
    try (SnapshotWriter writer = new SnapshotWriter(target, header(2, 1))) {
      writer.writeEntity(entity(0));

      assertThatThrownBy(writer::commit)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("1/2 entities")
          .hasMessageContaining("0/1 dedup");
    }

    assertThat(filesInDir()).isEmpty();
  }

  @Test
  void aWriterClosedWithoutCommitLeavesNeitherTheFileNorItsTemporary() throws IOException {
    Path target = dir.resolve("snapshot.78");
    try (SnapshotWriter writer = new SnapshotWriter(target, header(2, 0))) {
      writer.writeEntity(entity(0));
      writer.writeEntity(entity(1));
      assertThat(filesInDir()).containsExactly("snapshot.78.tmp");
    }

    assertThat(filesInDir()).isEmpty();
  }

  @Test
  void aCommittedSnapshotLeavesOnlyTheTargetFile() throws IOException {
    write(dir.resolve("snapshot.79"), entities(2), dedups(2));

    assertThat(filesInDir()).containsExactly("snapshot.79");
  }

  @Test
  void committingReplacesAnOlderFileOfTheSameName() throws IOException {
    Path target = dir.resolve("snapshot.80");
    Files.write(target, "stale".getBytes(StandardCharsets.UTF_8));

    write(target, entities(1), List.of());

    assertThat(readAll(target).entities()).containsExactly(entity(0));
    assertThat(filesInDir()).containsExactly("snapshot.80");
  }

  @Test
  void theWriterRefusesAHeaderOfAnotherFormatVersionBeforeCreatingAnyFile() throws IOException {
    SnapshotHeader future = header(0, 0).toBuilder().setFormatVersion(SnapshotWriter.CHECKPOINT_FORMAT_VERSION + 1).build();

    assertThatThrownBy(() -> new SnapshotWriter(dir.resolve("s"), future))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("format version " + SnapshotWriter.FORMAT_VERSION);
    assertThat(filesInDir()).isEmpty();
  }

  @Test
  void outboxRecordsFollowTheDedupRecordsAndRoundTrip() throws IOException {
    Path path = dir.resolve("outbox.snap");
    Ref source = Ref.newBuilder().setEcosystem("prod").setType("account").setId("a").build();
    Ref target = source.toBuilder().setId("b").build();
    List<OutboxItem> items = List.of(
        OutboxItem.newBuilder().setMessage(PendingMessage.newBuilder().setSource(source).setSeq(1)
            .setTarget(target).setPayload(json("Credit", "{\"cents\":5}"))).build(),
        OutboxItem.newBuilder().setTimer(PendingTimer.newBuilder().setOwner(source).setName("expire")
            .setSeq(2).setTarget(source).setDueMs(99).setPayload(json("Expire", "{}"))).build(),
        OutboxItem.newBuilder().setCounter(OutboxCounter.newBuilder().setRef(source).setLastSeq(2)).build());
    SnapshotHeader header = header(1, 1).toBuilder().setOutboxItems(items.size()).build();
    try (SnapshotWriter writer = new SnapshotWriter(path, header)) {
      writer.writeEntity(entity(0));
      assertThatThrownBy(() -> writer.writeOutbox(items.get(0))).isInstanceOf(IllegalStateException.class);
      writer.writeDedup(dedup(1));
      for (OutboxItem item : items) {
        writer.writeOutbox(item);
      }
      writer.commit();
    }

    try (SnapshotReader reader = new SnapshotReader(path)) {
      assertThat(reader.nextEntity()).isEqualTo(entity(0));
      assertThat(reader.nextEntity()).isNull();
      assertThat(reader.nextDedup()).isEqualTo(dedup(1));
      assertThat(reader.nextDedup()).isNull();
      List<OutboxItem> read = new ArrayList<>();
      for (OutboxItem item = reader.nextOutbox(); item != null; item = reader.nextOutbox()) {
        read.add(item);
      }
      reader.verify();
      assertThat(read).isEqualTo(items);
    }
  }

  @Test
  void aFormatOneFileWithoutOutboxIsStillRead() throws IOException {
    Path path = dir.resolve("v1.snap");
    try (OutputStream file = Files.newOutputStream(path)) {
      java.util.zip.CheckedOutputStream out = new java.util.zip.CheckedOutputStream(file, new java.util.zip.CRC32C());
      header(1, 0).toBuilder().setFormatVersion(1).build().writeDelimitedTo(out);
      entity(7).writeDelimitedTo(out);
      SnapshotTrailer.newBuilder().setCrc32C((int) out.getChecksum().getValue()).build().writeDelimitedTo(out);
    }

    try (SnapshotReader reader = new SnapshotReader(path)) {
      assertThat(reader.nextEntity()).isEqualTo(entity(7));
      assertThat(reader.nextEntity()).isNull();
      assertThat(reader.nextDedup()).isNull();
      assertThat(reader.nextOutbox()).isNull();
      reader.verify();
    }
  }

  /** Format 3 (a DISK node's snapshot): the header counts the entities a checkpoint holds; the file has none. */
  @Test
  void aCheckpointHeaderCountsEntitiesTheFileDoesNotHold() throws IOException {
    SnapshotHeader header = header(1000, 1).toBuilder()
        .setFormatVersion(SnapshotWriter.CHECKPOINT_FORMAT_VERSION).setCheckpoint("checkpoint.3_1234").build();
    Path target = dir.resolve("snapshot.3_1234");
    try (SnapshotWriter writer = new SnapshotWriter(target, header)) {
      assertThatThrownBy(() -> writer.writeEntity(entity(0))).isInstanceOf(IllegalStateException.class);
      writer.writeDedup(dedup(0));
      writer.commit();
    }
    try (SnapshotReader reader = new SnapshotReader(target)) {
      assertThat(reader.header().getEntities()).isEqualTo(1000);
      assertThat(reader.nextEntity()).isNull();
      assertThat(reader.nextDedup()).isEqualTo(dedup(0));
      assertThat(reader.nextDedup()).isNull();
      assertThat(reader.nextOutbox()).isNull();
      reader.verify();
    }
  }

  @Test
  void aCheckpointIsNamedInFormatThreeOnlyAndFormatThreeAlwaysNamesOne() {
    SnapshotHeader twoWithCheckpoint = header(0, 0).toBuilder().setCheckpoint("checkpoint.3_1234").build();
    SnapshotHeader threeWithout = header(0, 0).toBuilder()
        .setFormatVersion(SnapshotWriter.CHECKPOINT_FORMAT_VERSION).build();

    assertThatThrownBy(() -> new SnapshotWriter(dir.resolve("a"), twoWithCheckpoint))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("checkpoint 'checkpoint.3_1234'");
    assertThatThrownBy(() -> new SnapshotWriter(dir.resolve("b"), threeWithout))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("version 3 and no checkpoint");
  }

  @Test
  void aCheckpointHoldingTheDedupTableLeavesItOutOfTheFileWhileTheHeaderCountsIt() throws IOException {
    SnapshotHeader header = header(1000, 500).toBuilder().setFormatVersion(SnapshotWriter.CHECKPOINT_FORMAT_VERSION)
        .setCheckpoint("checkpoint.3_1234").setDedupInCheckpoint(true).build();
    Path target = dir.resolve("snapshot.3_1234");
    try (SnapshotWriter writer = new SnapshotWriter(target, header)) {
      assertThatThrownBy(() -> writer.writeDedup(dedup(0))).isInstanceOf(IllegalStateException.class);
      writer.commit();
    }
    try (SnapshotReader reader = new SnapshotReader(target)) {
      assertThat(reader.header().getDedupEntries()).isEqualTo(500);
      assertThat(reader.nextEntity()).isNull();
      assertThat(reader.nextDedup()).isNull();
      assertThat(reader.nextOutbox()).isNull();
      reader.verify();
    }
  }

  @Test
  void onlyACheckpointMayHoldTheDedupTable() {
    SnapshotHeader two = header(0, 3).toBuilder().setDedupInCheckpoint(true).build();
    assertThatThrownBy(() -> new SnapshotWriter(dir.resolve("a"), two))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dedup table");
  }

  @Test
  void aCheckpointHoldingTheOutboxLeavesItOutOfTheFileWhileTheHeaderCountsIt() throws IOException {
    SnapshotHeader header = header(1000, 2).toBuilder().setFormatVersion(SnapshotWriter.CHECKPOINT_FORMAT_VERSION)
        .setCheckpoint("checkpoint.3_1234").setDedupInCheckpoint(true).setOutboxInCheckpoint(true)
        .setOutboxItems(700).build();
    Path target = dir.resolve("snapshot.3_1234");
    OutboxItem counter = OutboxItem.newBuilder().setCounter(OutboxCounter.newBuilder()
        .setRef(Ref.newBuilder().setEcosystem("e").setType("t").setId("a")).setLastSeq(1)).build();
    try (SnapshotWriter writer = new SnapshotWriter(target, header)) {
      assertThatThrownBy(() -> writer.writeOutbox(counter)).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("outbox record out of place");
      writer.commit();
    }
    try (SnapshotReader reader = new SnapshotReader(target)) {
      assertThat(reader.header().getOutboxItems()).isEqualTo(700);
      assertThat(reader.nextEntity()).isNull();
      assertThat(reader.nextDedup()).isNull();
      assertThat(reader.nextOutbox()).isNull();
      reader.verify();
    }
  }

  @Test
  void onlyACheckpointMayHoldTheOutbox() throws IOException {
    SnapshotHeader two = header(0, 0).toBuilder().setOutboxInCheckpoint(true).setOutboxItems(3).build();
    assertThatThrownBy(() -> new SnapshotWriter(dir.resolve("a"), two))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("holds the outbox");
    // A file that says so anyway (written by something else): the reader refuses it by name.
    Path forged = dir.resolve("forged");
    try (OutputStream out = Files.newOutputStream(forged)) {
      two.writeDelimitedTo(out);
    }
    assertThatThrownBy(() -> new SnapshotReader(forged)).isInstanceOf(SnapshotFormatException.class)
        .hasMessageContaining("holds the outbox, but it names no checkpoint");
  }
}
