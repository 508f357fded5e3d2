package io.pachyderm.examples;

import io.pachyderm.examples.counter.Counter;
import io.pachyderm.local.LocalPachyderm;
import java.nio.file.Path;

/** Child-process main for {@link LocalCrashTest}: increments forever, printing each acknowledged count. */
public final class CrashingWriter {
  private CrashingWriter() {}

  public static void main(String[] args) {
    LocalPachyderm local = LocalPachyderm.builder(Path.of(args[0]))
        .entityTypes(ExampleTypes.all())
        .effectHandler(Counter.ADMIN_MAILER, (Object effect, io.pachyderm.entity.EffectContext ctx) -> { })
        .open();
    for (int i = 0; i < 1_000_000; i++) {
      long count = local.call(Counter.TYPE.ref("crash"), new Counter.Increment(1)).state().count();
      System.out.println("ack " + count);
      System.out.flush();
    }
  }
}
