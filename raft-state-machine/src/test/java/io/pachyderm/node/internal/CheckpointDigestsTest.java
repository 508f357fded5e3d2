package io.pachyderm.node.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.pachyderm.protocol.CheckpointFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.util.MD5FileUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointDigestsTest {
  @TempDir
  Path dir;

  @Test
  void aFileHardLinkedFromThePreviousCheckpointIsNotReadAgainAndANewOrCopiedOneIs() throws Exception {
    Path first = Files.createDirectories(dir.resolve("checkpoint.1_10"));
    Path sst = Files.writeString(first.resolve("000007.sst"), "table seven", StandardCharsets.UTF_8);
    CheckpointDigests digests = new CheckpointDigests();
    MD5Hash seven = digests.md5(sst);
    digests.checkpointDone();
    assertThat(digests.filesRead()).isEqualTo(1);
    assertThat(seven).isEqualTo(MD5FileUtil.computeMd5ForFile(sst.toFile()));

    Path second = Files.createDirectories(dir.resolve("checkpoint.1_20"));
    Path linked = Files.createLink(second.resolve("000007.sst"), sst);
    Path fresh = Files.writeString(second.resolve("000009.sst"), "table nine", StandardCharsets.UTF_8);
    Path copied = Files.copy(sst, second.resolve("000008.sst"));
    assertThat(digests.md5(linked)).isEqualTo(seven);
    assertThat(digests.filesRead()).isEqualTo(1);
    assertThat(digests.md5(fresh)).isEqualTo(MD5FileUtil.computeMd5ForFile(fresh.toFile()));
    assertThat(digests.md5(copied)).isEqualTo(seven);
    assertThat(digests.filesRead()).as("the new file and the copy (another inode) are read").isEqualTo(3);
    digests.checkpointDone();

    // Only the last checkpoint's files are remembered; forget() drops those too.
    Path third = Files.createDirectories(dir.resolve("checkpoint.1_30"));
    digests.md5(Files.createLink(third.resolve("000009.sst"), fresh));
    assertThat(digests.filesRead()).isEqualTo(3);
    digests.forget();
    digests.md5(fresh);
    assertThat(digests.filesRead()).isEqualTo(4);
  }

  @Test
  void aFileRewrittenInPlaceIsReadAgain() throws Exception {
    Path sst = Files.writeString(dir.resolve("MANIFEST-000005"), "one", StandardCharsets.UTF_8);
    CheckpointDigests digests = new CheckpointDigests();
    MD5Hash before = digests.md5(sst);
    digests.checkpointDone();
    Files.writeString(sst, "one plus more bytes", StandardCharsets.UTF_8);
    MD5Hash after = digests.md5(sst);
    assertThat(after).isNotEqualTo(before).isEqualTo(MD5FileUtil.computeMd5ForFile(sst.toFile()));
    assertThat(digests.filesRead()).isEqualTo(2);
  }

  @Test
  void theFilesOfALoadedCheckpointAreNotReadAgainByTheFirstSnapshotAfterIt() throws Exception {
    Path loaded = Files.createDirectories(dir.resolve("checkpoint.1_10"));
    Path sst = Files.writeString(loaded.resolve("000007.sst"), "table seven", StandardCharsets.UTF_8);
    MD5Hash seven = MD5FileUtil.computeMd5ForFile(sst.toFile());
    CheckpointDigests digests = new CheckpointDigests();
    digests.rememberLoaded(loaded, List.of(CheckpointFile.newBuilder().setName("000007.sst")
        .setBytes(Files.size(sst)).setMd5(ByteString.copyFrom(seven.getDigest())).build()));

    Path next = Files.createDirectories(dir.resolve("checkpoint.2_20"));
    assertThat(digests.md5(Files.createLink(next.resolve("000007.sst"), sst))).isEqualTo(seven);
    assertThat(digests.filesRead()).as("a link of a loaded file: its MD5 is the one checked at load").isZero();
    digests.md5(Files.writeString(next.resolve("000009.sst"), "table nine", StandardCharsets.UTF_8));
    assertThat(digests.filesRead()).isEqualTo(1);
  }
}
