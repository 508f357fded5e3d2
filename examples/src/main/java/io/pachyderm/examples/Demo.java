package io.pachyderm.examples;

import io.pachyderm.api.CommandRejectedException;
import io.pachyderm.api.Reply;
import io.pachyderm.entity.EntityRef;
import io.pachyderm.examples.counter.Counter;
import io.pachyderm.examples.profile.Profile;
import io.pachyderm.local.LocalPachyderm;
import java.nio.file.Path;

/**
 * The README demo on the embedded (local) ecosystem: a counter that remembers across runs and
 * mails the admins when it reaches 10, and a state-replacing profile.
 */
public final class Demo {
  private Demo() {}

  public static void main(String[] args) {
    Path dataDir = Path.of(args.length > 0 ? args[0] : "data/demo");
    try (LocalPachyderm local = LocalPachyderm.builder(dataDir)
        .entityTypes(ExampleTypes.all())
        .effectHandler(Counter.ADMIN_MAILER, (Counter.ThresholdReached t, io.pachyderm.entity.EffectContext ctx) ->
            System.out.printf("  [admin-mailer] counter %s reached %d (effect %s, dispatched by %s)%n",
                t.counter(), t.count(), ctx.idempotencyKey(), ctx.nodeId()))
        .open()) {
      EntityRef<Counter.State, Counter.Command> counter = Counter.TYPE.ref("my-counter");
      long before = local.query(counter).state().count();
      System.out.printf("Pachyderm demo (local ecosystem in %s)%n", dataDir.toAbsolutePath());
      System.out.printf("my-counter starts at %d%n", before);
      for (int i = 0; i < 3; i++) {
        Reply<Counter.State> r = local.call(counter, new Counter.Increment(1));
        System.out.printf("call Increment(1) -> count=%d version=%d%n", r.state().count(), r.version());
      }
      try {
        local.call(counter, new Counter.Increment(-5));
      } catch (CommandRejectedException e) {
        System.out.printf("call Increment(-5) -> rejected: %s%n", e.getMessage());
      }
      EntityRef<Profile.State, Profile.Command> profile = Profile.TYPE.ref("ada");
      Reply<Profile.State> p = local.call(profile, new Profile.Update("Ada Lovelace", "ada@example.org"));
      System.out.printf("profile ada -> %s (version %d)%n", p.state(), p.version());
      System.out.printf("query my-counter -> %d%n", local.query(counter, Counter.State::count));
      System.out.println("Run the demo again: the counter remembers (an elephant never forgets).");
    }
  }
}
