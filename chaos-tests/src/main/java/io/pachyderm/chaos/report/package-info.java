/**
 * The files a chaos run leaves for a person: {@code history.jsonl}, {@code verdicts.json}, a
 * readable {@code summary.txt} (operation counts, availability in and out of fault windows,
 * anomalies, the verdict of each checker) and {@code latency.png} (latency of every completed
 * operation over time, by outcome, with the nemesis windows shaded, like Jepsen's perf graphs).
 * Written by {@link io.pachyderm.chaos.report.RunReport#write}; drawing is headless.
 */
package io.pachyderm.chaos.report;
