/**
 * Nemeses: faults injected into a running cluster — {@code kill -9} and restart, SIGSTOP/SIGCONT
 * pauses, iptables partitions (halves, isolated leader, majorities ring, bridge), a node's data
 * disk filled with ballast and freed ({@link io.pachyderm.chaos.nemesis.DiskFill}) — the schedule
 * that draws them at random and records each as an interval, and the control run's planted fault
 * (a Raft log tail cut on every node). A user's fixed schedule ({@link
 * io.pachyderm.chaos.nemesis.ChaosSchedule}, built in code or read from a file) names the same
 * faults with their times; {@link io.pachyderm.chaos.nemesis.ScheduledNemesis} runs it.
 */
package io.pachyderm.chaos.nemesis;
