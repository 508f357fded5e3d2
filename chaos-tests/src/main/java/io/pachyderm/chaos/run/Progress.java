package io.pachyderm.chaos.run;

import io.pachyderm.chaos.history.HistoryRecorder;
import io.pachyderm.chaos.nemesis.NemesisRun;
import io.pachyderm.chaos.workload.WorkloadDriver;
import java.io.PrintStream;
import java.time.Duration;

/** Prints a progress line every few seconds while clients run: ops by outcome and the fault in force. */
final class Progress {
  private final PrintStream out;
  private final Duration every;
  private final WorkloadDriver driver;
  private final NemesisRun schedule;
  private final HistoryRecorder recorder;
  private Thread thread;

  /** @param schedule null when there is no nemesis */
  Progress(PrintStream out, Duration every, WorkloadDriver driver, NemesisRun schedule, HistoryRecorder recorder) {
    this.out = out;
    this.every = every;
    this.driver = driver;
    this.schedule = schedule;
    this.recorder = recorder;
  }

  void start() {
    if (every.isZero() || every.isNegative()) {
      return;
    }
    thread = new Thread(() -> {
      try {
        while (true) {
          Thread.sleep(every.toMillis());
          print();
        }
      } catch (InterruptedException e) {
        // Stopped.
      }
    }, "chaos-progress");
    thread.setDaemon(true);
    thread.start();
  }

  void stop() throws InterruptedException {
    if (thread != null) {
      thread.interrupt();
      thread.join();
    }
  }

  private void print() {
    String fault = schedule == null ? null : schedule.activeFault();
    out.printf("chaos: %5d s  ops %d  ok %d  fail %d  unknown %d  faults %d  %s%n",
        recorder.elapsedNs() / 1_000_000_000, driver.invoked(), driver.ok(), driver.failed(), driver.unknown(),
        schedule == null ? 0 : schedule.faultsInjected(), fault == null ? "(healthy)" : "now: " + fault);
    out.flush();
  }
}
