package io.pachyderm.node.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The three states a kill -9 can leave around Ratis' two renames at the end of a snapshot install. */
class InstallLeftoversTest {
  @TempDir
  Path group;

  @Test
  void killedBetweenTheRenamesTheMovedAsideDirGoesBack() throws Exception {
    Path sm = group.resolve("sm");
    Path aside = group.resolve("sm.tmp20261207-063000_123");
    Files.createDirectories(aside);
    Files.writeString(aside.resolve("snapshot.1_40"), "previous");

    assertThat(InstallLeftovers.repair("n1", sm)).isEqualTo(aside);

    assertThat(Files.readString(sm.resolve("snapshot.1_40"))).isEqualTo("previous");
    assertThat(aside).doesNotExist();
  }

  @Test
  void killedAfterTheSecondRenameTheOldDirIsDeletedAndTheNewOneStays() throws Exception {
    Path sm = group.resolve("sm");
    Files.createDirectories(sm);
    Files.writeString(sm.resolve("snapshot.2_90"), "installed");
    Path aside = group.resolve("sm.tmp20261207-063000_123");
    Files.createDirectories(aside.resolve("checkpoint.1_40"));

    assertThat(InstallLeftovers.repair("n1", sm)).isNull();

    assertThat(Files.readString(sm.resolve("snapshot.2_90"))).isEqualTo("installed");
    assertThat(aside).doesNotExist();
  }

  @Test
  void ofSeveralMovedAsideDirsTheNewestGoesBackAndTheOthersGo() throws Exception {
    Path sm = group.resolve("sm");
    Path older = group.resolve("sm.tmp20261207-060000_001");
    Path newer = group.resolve("sm.tmp20261207-063000_123");
    Files.createDirectories(older);
    Files.createDirectories(newer);
    Files.writeString(newer.resolve("snapshot.1_80"), "newer");

    assertThat(InstallLeftovers.repair("n1", sm)).isEqualTo(newer);

    assertThat(sm.resolve("snapshot.1_80")).exists();
    assertThat(older).doesNotExist();
  }

  @Test
  void nothingMovedAsideChangesNothing() throws Exception {
    Path sm = group.resolve("sm");
    Files.createDirectories(sm);
    Files.createDirectories(group.resolve("sm.tmp-not-ratis"));
    Files.createDirectories(group.resolve("smx.tmp20261207-063000_123"));

    assertThat(InstallLeftovers.repair("n1", sm)).isNull();

    assertThat(group.resolve("sm.tmp-not-ratis")).exists();
    assertThat(group.resolve("smx.tmp20261207-063000_123")).exists();
  }
}
