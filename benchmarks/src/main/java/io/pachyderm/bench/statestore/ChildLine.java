package io.pachyderm.bench.statestore;

import java.io.PrintStream;

/**
 * One line of the protocol a benchmark child speaks on its stdout, which the driver reads:
 * {@code @bench progress N}, {@code @bench result KEY VALUE}, {@code @bench first-call-ok},
 * {@code @bench done}. Anything else (a library's log line) is {@link Other} and passed on.
 * Keys and values hold no blanks. Immutable.
 */
sealed interface ChildLine {
  String PREFIX = "@bench ";

  /** Calls (or other units of progress) completed so far; never decreases. */
  record Progress(long done) implements ChildLine {}

  /** One figure. */
  record Result(String key, String value) implements ChildLine {}

  /** The child's first call succeeded (restart timing: process start to first successful call). */
  record FirstCallOk() implements ChildLine {}

  /** The child did everything it was asked; it exits next. */
  record Done() implements ChildLine {}

  /** Not a protocol line. */
  record Other(String text) implements ChildLine {}

  /**
   * Reads one line.
   *
   * @throws IllegalArgumentException naming the line when it starts like a protocol line but is not one
   */
  static ChildLine parse(String line) {
    if (!line.startsWith(PREFIX)) {
      return new Other(line);
    }
    String[] f = line.substring(PREFIX.length()).trim().split(" ");
    switch (f[0]) {
      case "progress":
        if (f.length == 2) {
          try {
            return new Progress(Long.parseLong(f[1]));
          } catch (NumberFormatException e) {
            break;
          }
        }
        break;
      case "result":
        if (f.length == 3) {
          return new Result(f[1], f[2]);
        }
        break;
      case "first-call-ok":
        if (f.length == 1) {
          return new FirstCallOk();
        }
        break;
      case "done":
        if (f.length == 1) {
          return new Done();
        }
        break;
      default:
        break;
    }
    throw new IllegalArgumentException("not a benchmark child line: '" + line + "'");
  }

  /** Writers, for the child's side. Each line is flushed: the driver times the first call by it. */
  static void progress(PrintStream out, long done) {
    print(out, "progress " + done);
  }

  static void result(PrintStream out, String key, Object value) {
    String v = String.valueOf(value);
    if (key.contains(" ") || v.contains(" ") || key.isEmpty() || v.isEmpty()) {
      throw new IllegalArgumentException("result key and value must be non-empty without blanks: '" + key
          + "' = '" + v + "'");
    }
    print(out, "result " + key + " " + v);
  }

  static void firstCallOk(PrintStream out) {
    print(out, "first-call-ok");
  }

  static void done(PrintStream out) {
    print(out, "done");
  }

  private static void print(PrintStream out, String body) {
    synchronized (out) {
      out.println(PREFIX + body);
      out.flush();
    }
  }
}
