package io.pachyderm.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class LoadBenchmarkStoreTest {
  @Test
  void theLoadBenchmarkRefusesAnUnknownStoreBeforeStartingAnything() {
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    int code;
    try {
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      code = new CommandLine(new LoadBenchmark()).execute("--scenarios=a,d,e", "--store", "tape");
    } finally {
      System.setErr(err);
    }
    assertThat(code).isEqualTo(2);
    assertThat(captured.toString(StandardCharsets.UTF_8))
        .contains("load-benchmark: --store 'tape': not a state store");
  }
}
