package io.pachyderm.chaos.net;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs short system commands ({@code ip}, {@code iptables}, {@code kill}) with a deadline and
 * captures their output. Thread-safe (stateless).
 */
public final class Shell {
  /** Every command here is a quick system call; one that hangs this long is broken, not slow. */
  public static final Duration TIMEOUT_DEFAULT = Duration.ofSeconds(20);
  private static final int OUTPUT_BYTES_MAX = 64 << 10;

  private Shell() {}

  /** What a finished command said. {@code output} is stdout and stderr together, trimmed. */
  public record Result(List<String> command, int exitCode, String output) {
    public boolean ok() {
      return exitCode == 0;
    }

    @Override
    public String toString() {
      return String.join(" ", command) + " -> exit " + exitCode + (output.isEmpty() ? "" : ": " + output);
    }
  }

  /** Runs {@code command}; any exit code is returned. A command that cannot start or hangs throws. */
  public static Result tryRun(List<String> command) {
    return tryRun(command, TIMEOUT_DEFAULT);
  }

  public static Result tryRun(List<String> command, Duration timeout) {
    Process process;
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
    }
    OutputDrain drain = new OutputDrain(process.getInputStream());
    drain.start();
    try {
      process.getOutputStream().close();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(String.join(" ", command) + " did not finish within " + timeout);
      }
      drain.join(timeout.toMillis());
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + String.join(" ", command), e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Result(List.copyOf(command), process.exitValue(), drain.text().strip());
  }

  /** Runs {@code command} and fails with its output unless it exits 0. */
  public static Result run(List<String> command) {
    Result r = tryRun(command);
    if (!r.ok()) {
      throw new IllegalStateException(r.toString());
    }
    return r;
  }

  /** Reads a child's output on its own thread so that a chatty child never blocks on a full pipe. */
  private static final class OutputDrain extends Thread {
    private final InputStream in;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    OutputDrain(InputStream in) {
      super("shell-output");
      setDaemon(true);
      this.in = in;
    }

    @Override
    public void run() {
      byte[] buffer = new byte[4096];
      try (in) {
        int n;
        while ((n = in.read(buffer)) > 0) {
          synchronized (bytes) {
            if (bytes.size() < OUTPUT_BYTES_MAX) {
              bytes.write(buffer, 0, Math.min(n, OUTPUT_BYTES_MAX - bytes.size()));
            }
          }
        }
      } catch (IOException e) {
        // The child is gone; what was read so far is all there is.
      }
    }

    String text() {
      synchronized (bytes) {
        return bytes.toString(StandardCharsets.UTF_8);
      }
    }
  }
}
