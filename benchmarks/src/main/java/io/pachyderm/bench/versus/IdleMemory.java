package io.pachyderm.bench.versus;

import io.pachyderm.entity.EntityRef;
import io.pachyderm.entity.EntityTypes;
import io.pachyderm.local.LocalPachyderm;
import io.pachyderm.node.settings.StateStoreKind;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Memory per idle entity (versus.sh --memory): a local ecosystem per state-store kind, N register
 * entities written once each (a 16-character payload), then left idle; the heap used after GC
 * with the entities, minus the heap used after GC once the ecosystem was open and empty, over N.
 * What it counts: everything the node keeps on the heap for those entities and their one write
 * each (the state, or the store's cache and index for DISK; the de-duplication table's entry of
 * each write; the Raft log's cached segment), so it is an upper bound on the state alone.
 *
 * <p>Usage: {@code IdleMemory DIR ENTITIES}; one line per kind on stdout.
 */
public final class IdleMemory {
  static final int OUTSTANDING_MAX = 256;
  static final long WAIT_MAX_S = 300;
  static final int ENTITIES_MAX = 5_000_000;

  private IdleMemory() {
  }

  /** One kind's figure. */
  record Figure(StateStoreKind kind, int entities, long heapEmptyBytes, long heapFullBytes) {
    Figure {
      if (entities < 1) {
        throw new IllegalArgumentException("entities must be >= 1, was " + entities);
      }
    }

    double bytesPerEntity() {
      return (heapFullBytes - heapEmptyBytes) / (double) entities;
    }

    String line() {
      return String.format(Locale.ROOT, "memory per idle entity, %-4s store: %,8.0f bytes  (%,d entities; heap after "
          + "GC %,.1f MB empty, %,.1f MB with them)", kind, bytesPerEntity(), entities, heapEmptyBytes / 1e6,
          heapFullBytes / 1e6);
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 2 || !args[1].matches("[0-9]{1,7}") || Integer.parseInt(args[1]) < 1
        || Integer.parseInt(args[1]) > ENTITIES_MAX) {
      System.err.println("usage: IdleMemory DIR ENTITIES   (ENTITIES 1.." + ENTITIES_MAX + ")");
      System.exit(2);
    }
    Path dir = Path.of(args[0]);
    int entities = Integer.parseInt(args[1]);
    for (StateStoreKind kind : StateStoreKind.values()) {
      System.out.println(measure(dir.resolve(kind.name().toLowerCase(Locale.ROOT)), kind, entities).line());
    }
    System.exit(0);
  }

  static Figure measure(Path dir, StateStoreKind kind, int entities) throws Exception {
    Files.createDirectories(dir);
    try (LocalPachyderm local = LocalPachyderm.builder(dir).entityTypes(EntityTypes.of(Register.TYPE))
        .stateStore(kind).open()) {
      local.call(Register.TYPE.ref("warm-up"), new Register.Put("x"));
      long empty = usedHeapAfterGc();
      Register.Put put = new Register.Put("0123456789abcdef");
      Semaphore outstanding = new Semaphore(OUTSTANDING_MAX);
      AtomicLong failed = new AtomicLong();
      for (int i = 0; i < entities; i++) {
        if (!outstanding.tryAcquire(WAIT_MAX_S, TimeUnit.SECONDS)) {
          throw new IllegalStateException(OUTSTANDING_MAX + " writes outstanding for " + WAIT_MAX_S + " s");
        }
        EntityRef<Register.State, Register.Command> ref = Register.TYPE.ref("idle-" + i);
        local.callAsync(ref, put).whenComplete((r, e) -> {
          if (e != null) {
            failed.incrementAndGet();
          }
          outstanding.release();
        });
      }
      if (!outstanding.tryAcquire(OUTSTANDING_MAX, WAIT_MAX_S, TimeUnit.SECONDS)) {
        throw new IllegalStateException("writes still outstanding after " + WAIT_MAX_S + " s");
      }
      if (failed.get() > 0) {
        throw new IllegalStateException(failed.get() + " of " + entities + " writes failed");
      }
      return new Figure(kind, entities, empty, usedHeapAfterGc());
    }
  }

  private static long usedHeapAfterGc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(200);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
