package io.pachyderm.client;

import io.pachyderm.cluster.Peer;
import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.cluster.internal.JulLevels;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

class JulLevelsTest {
  @Test
  void creatingAClientSilencesGrpcsEpollInfoLineButKeepsItsWarnings() throws Exception {
    List<LogRecord> records = new CopyOnWriteArrayList<>();
    Handler capture = new Handler() {
      @Override
      public void publish(LogRecord r) {
        records.add(r);
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    Logger root = Logger.getLogger("");
    root.addHandler(capture);
    try (PachydermClient client = PachydermClient.builder(Peer.parseList("n1=127.0.0.1:1")).build()) {
      // The class logs its line in its static initializer; load it as gRPC would.
      Class.forName(JulLevels.GRPC_TCP_METRICS, true, PachydermClient.class.getClassLoader());
      Logger tcpMetrics = Logger.getLogger(JulLevels.GRPC_TCP_METRICS);
      assertThat(tcpMetrics.isLoggable(Level.INFO)).isFalse();
      assertThat(tcpMetrics.isLoggable(Level.WARNING)).isTrue();
    } finally {
      root.removeHandler(capture);
    }
    assertThat(records).noneMatch(r -> JulLevels.GRPC_TCP_METRICS.equals(r.getLoggerName()));
  }
}
