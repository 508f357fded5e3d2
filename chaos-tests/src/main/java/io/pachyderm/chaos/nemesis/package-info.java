/**
 * Nemeses: faults injected into a running cluster — {@code kill -9} and restart, SIGSTOP/SIGCONT
 * pauses, iptables partitions (halves, isolated leader, majorities ring, bridge) — the schedule
 * that draws them at random and records each as an interval, and the control run's planted fault
 * (a Raft log tail cut on every node).
 */
package io.pachyderm.chaos.nemesis;
