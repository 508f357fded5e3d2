package io.pachyderm.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.bench.statestore.StoreKind;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class StoreComparisonTest {
  @Test
  void eachRowPrintsOnEveryStoreWithItsRatioToTheFirstStore() {
    Scenario a = LoadBenchmark.scenarios(32).get(0);
    Map<StoreKind, List<Result>> byStore = new EnumMap<>(StoreKind.class);
    byStore.put(StoreKind.HEAP, List.of(result(a, 1_000)));
    byStore.put(StoreKind.DISK, List.of(result(a, 900)));

    String printed = print(byStore);

    assertThat(printed).containsPattern("a +gRPC cluster.* heap +1,000 +\\(base\\)");
    assertThat(printed).containsPattern("a +gRPC cluster.* disk +900 +0\\.90 ");
  }

  @Test
  void aRowThatDidNotRunOnOneStoreSaysSoAndHasNoRatio() {
    Scenario a = LoadBenchmark.scenarios(32).get(0);
    Map<StoreKind, List<Result>> byStore = new EnumMap<>(StoreKind.class);
    byStore.put(StoreKind.HEAP, List.of(Result.failed(a, new ErrorTally(), "no leader")));
    byStore.put(StoreKind.DISK, List.of(result(a, 900)));

    String printed = print(byStore);

    assertThat(printed).containsPattern("heap +did not run: no leader");
    assertThat(printed).containsPattern("disk +900 +- ");
  }

  @Test
  void roundsAreNumberedAndEachStoresMeanIsComparedWithTheBasesMean() {
    Scenario a = LoadBenchmark.scenarios(32).get(0);
    Map<StoreKind, List<Result>> byStore = new EnumMap<>(StoreKind.class);
    byStore.put(StoreKind.HEAP, List.of(result(a, 1_000), result(a, 1_200)));
    byStore.put(StoreKind.DISK, List.of(result(a, 800), result(a, 1_180)));

    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    StoreComparison.print(new PrintStream(bytes, true, StandardCharsets.UTF_8), byStore, 2);
    String printed = bytes.toString(StandardCharsets.UTF_8);

    assertThat(printed).containsPattern("a\\.1 +gRPC cluster.* disk +800 +0\\.80 ");
    assertThat(printed).containsPattern("a\\.2 +gRPC cluster.* disk +1,180 +0\\.98 ");
    assertThat(printed).containsPattern("a +mean of 2 round\\(s\\) +heap +1,100 +\\(base\\)");
    assertThat(printed).containsPattern("a +mean of 2 round\\(s\\) +disk +990 +0\\.90 ");
  }

  @Test
  void oneStoreAloneHasNoComparison() {
    Map<StoreKind, List<Result>> byStore = new EnumMap<>(StoreKind.class);
    byStore.put(StoreKind.DISK, List.of(result(LoadBenchmark.scenarios(32).get(0), 900)));

    assertThat(print(byStore)).isEmpty();
  }

  private static String print(Map<StoreKind, List<Result>> byStore) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    StoreComparison.print(new PrintStream(bytes, true, StandardCharsets.UTF_8), byStore);
    return bytes.toString(StandardCharsets.UTF_8);
  }

  /** A row that made {@code okCalls} successful calls in one second, each taking 2 ms. */
  private static Result result(Scenario s, long okCalls) {
    Histogram h = new Histogram(3);
    for (long i = 0; i < okCalls; i++) {
      h.recordValue(2_000);
    }
    Measurement m = new Measurement(h, okCalls, 0, 0, 1_000_000_000L, false, 0, 0, 0);
    return new Result(s, 1, m, okCalls / 10, 0, 100, "ok", null, new ErrorTally(), null);
  }
}
