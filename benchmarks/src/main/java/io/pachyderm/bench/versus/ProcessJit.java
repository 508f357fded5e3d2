package io.pachyderm.bench.versus;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU time spent by the JIT compiler threads of several local JVM processes (the systems' nodes
 * and the load generator), read from Linux's {@code /proc/PID/task/TID/stat}: how the warm-up
 * knows that every process has compiled its hot paths, as the in-process benchmark knows it from its
 * own {@code CompilationMXBean}. Measured here: with three node JVMs and the load generator on two
 * cores, their C2 compilers took ~40% of the CPU of a run warmed up for 15 s, and the three-process
 * rows came out at a third of their warmed-up rate. A process without such threads (etcd,
 * PostgreSQL) counts nothing; a process that has exited counts what it last showed.
 */
final class ProcessJit {
  /** Linux's {@code USER_HZ}, the unit of the stat file's times: 100 on every mainstream kernel. */
  private static final long TICKS_PER_S = 100;
  /** HotSpot's compiler thread names ("C2 CompilerThread0"), as the kernel truncates them (15 chars). */
  private static final List<String> COMPILER_THREAD_PREFIXES = List.of("C1 CompilerThre", "C2 CompilerThre");

  private final List<Long> pids;
  /** Per process and thread, the ticks last read: a compiler thread that ends keeps what it used. */
  private final Map<String, Long> ticksSeen = new HashMap<>();
  private long ticksTotal;

  /** @param pids the processes to watch; this process is added */
  ProcessJit(List<Long> pids) {
    List<Long> all = new ArrayList<>(pids);
    long self = ProcessHandle.current().pid();
    if (!all.contains(self)) {
      all.add(self);
    }
    this.pids = List.copyOf(all);
  }

  int processes() {
    return pids.size();
  }

  /** Whether this machine has {@code /proc} task stats to read (Linux). */
  static boolean available() {
    return Files.isReadable(Path.of("/proc/self/task"));
  }

  /** Compiler threads' CPU milliseconds so far, over every watched process. */
  long compileMs() {
    for (long pid : pids) {
      Path tasks = Path.of("/proc", Long.toString(pid), "task");
      try (DirectoryStream<Path> threads = Files.newDirectoryStream(tasks)) {
        for (Path thread : threads) {
          read(pid, thread);
        }
      } catch (NoSuchFileException e) {
        // the process has ended: it keeps what it last showed
      } catch (IOException e) {
        throw new IllegalStateException("cannot list the threads of process " + pid + " in " + tasks + ": " + e, e);
      }
    }
    return ticksTotal * 1000 / TICKS_PER_S;
  }

  private void read(long pid, Path thread) {
    String stat;
    try {
      String comm = Files.readString(thread.resolve("comm"), StandardCharsets.US_ASCII).strip();
      if (COMPILER_THREAD_PREFIXES.stream().noneMatch(comm::startsWith)) {
        return;
      }
      stat = Files.readString(thread.resolve("stat"), StandardCharsets.US_ASCII);
    } catch (IOException e) {
      return; // the thread ended between the listing and the read
    }
    long ticks = cpuTicks(stat);
    String id = pid + "/" + thread.getFileName();
    Long before = ticksSeen.put(id, ticks);
    ticksTotal += ticks - (before == null ? 0 : before);
  }

  /**
   * utime + stime of a {@code stat} line: fields 14 and 15, counted after the command name, which
   * is in parentheses and may hold spaces.
   */
  static long cpuTicks(String stat) {
    int close = stat.lastIndexOf(')');
    if (close < 0) {
      throw new IllegalArgumentException("not a /proc stat line: " + stat);
    }
    String[] fields = stat.substring(close + 1).strip().split("\\s+");
    // fields[0] is field 3 (state), so field 14 (utime) is fields[11] and field 15 (stime) fields[12].
    if (fields.length < 13) {
      throw new IllegalArgumentException("a /proc stat line with " + fields.length + " fields after the name: " + stat);
    }
    return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
  }
}
