package io.pachyderm.cli;

import io.pachyderm.client.PachydermClient;
import io.pachyderm.client.internal.EncodedHistory;
import io.pachyderm.protocol.HistoryPage;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "follow",
    description = {"Prints an entity's current version and state, then every event as it is committed "
        + "(same line format as history), until interrupted, --count events or --for-ms.",
        "Rides out node failures and leader changes: it moves to another node and resumes at the next version."})
final class FollowCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  ClientOptions client;

  @Mixin
  EntityAddress address;

  @Option(names = "--from", paramLabel = "VERSION",
      description = "Start at this version (replaying the history from it) instead of at the current state.")
  Long fromVersion;

  @Option(names = "--count", paramLabel = "N", description = "Stop after N events. Default: never.")
  Long count;

  @Option(names = "--for-ms", paramLabel = "MS", description = "Stop after MS milliseconds. Default: never.")
  Long forMs;

  @Option(names = "--json", description = "One JSON object per line (JSON Lines) instead of text.")
  boolean json;

  @Override
  public Integer call() throws InterruptedException {
    var key = address.key();
    if (fromVersion != null && fromVersion < 1) {
      throw new IllegalArgumentException("--from must be >= 1 (the first event is version 1), was " + fromVersion);
    }
    if ((count != null && count < 1) || (forMs != null && forMs < 1)) {
      throw new IllegalArgumentException("--count and --for-ms must be >= 1");
    }
    // Without --for-ms: a century, i.e. until the process is interrupted (a finite end keeps the
    // deadline arithmetic from overflowing).
    long endNs = System.nanoTime() + (forMs == null ? Duration.ofDays(36_500) : Duration.ofMillis(forMs)).toNanos();
    try (PachydermClient c = client.connect()) {
      PrintWriter out = spec.commandLine().getOut();
      EncodedHistory history = c.encodedOperations().encodedHistory(key);
      long next;
      if (fromVersion == null) {
        HistoryPage current = history.current(until(endNs, c.requestTimeout()));
        if (current == null) {
          throw new CliFailure("no node answered for " + key + " within " + c.requestTimeout().toMillis() + " ms");
        }
        out.println(json ? "{\"version\":" + current.getLastVersion() + ",\"state\":"
            + (current.hasState() ? Json.write(Json.tree(current.getState())) : "null") + "}"
            : "current: v" + current.getLastVersion() + " " + (current.hasState() ? Json.render(current.getState())
                : "(no events yet)"));
        out.flush();
        next = current.getLastVersion() + 1;
      } else {
        next = fromVersion;
      }
      long upTo = count == null ? Long.MAX_VALUE : next + count - 1;
      // Ends at --count events or at endNs; unreachable nodes are retried until then.
      history.range(next, upTo, Duration.ofNanos(Math.max(0, endNs - System.nanoTime())), r -> {
        out.println(HistoryFormat.line(r, json));
        out.flush();
      });
    }
    return PachydermCli.EXIT_OK;
  }

  private static Duration until(long endNs, Duration atMost) {
    long left = endNs - System.nanoTime();
    return left < atMost.toNanos() ? Duration.ofNanos(Math.max(0, left)) : atMost;
  }
}
