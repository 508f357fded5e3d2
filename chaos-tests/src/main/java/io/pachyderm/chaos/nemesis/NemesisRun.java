package io.pachyderm.chaos.nemesis;

import io.pachyderm.chaos.report.NemesisInterval;
import java.util.List;

/**
 * A nemesis at work during a run: the random {@link NemesisSchedule} or a user's
 * {@link ScheduledNemesis}. Thread-safe: the harness asks for progress while the nemesis runs on
 * its own thread.
 */
public interface NemesisRun {
  /** Starts injecting faults on the nemesis's own thread; the schedule's clock starts now. */
  void start();

  /** Faults so far (healed or in force). */
  int faultsInjected();

  /** What is in force now, for progress lines; null when healthy. */
  String activeFault();

  /** The finished fault windows, in the order they were healed, on the history's clock. */
  List<NemesisInterval> intervals();

  /** Failures to inject or heal (each also in nemesis.log); a run with any is not trustworthy. */
  List<String> errors();

  /** Ends the schedule, heals whatever is in force, and returns every node to running. */
  void stopAndHeal() throws InterruptedException;
}
