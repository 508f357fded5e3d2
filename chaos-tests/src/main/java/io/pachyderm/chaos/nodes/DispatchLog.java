package io.pachyderm.chaos.nodes;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pachyderm.chaos.workload.EffectCounterEntity;
import io.pachyderm.entity.EffectContext;
import io.pachyderm.entity.EffectHandler;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The {@value EffectCounterEntity#DISPATCH_HANDLER} effect handler of a chaos node: appends one
 * JSON object per dispatched effect to a file, {@code {"node","term","logIndex","idempotencyKey"}},
 * written with one {@code write} call per line. A {@code kill -9} cannot lose a line that was
 * written (the page cache survives the process), and can at worst leave none; so the file holds
 * every dispatch this node performed, which is what the effects checker judges.
 *
 * <p>Thread-safe: lines from concurrent dispatcher threads never interleave.
 */
final class DispatchLog implements EffectHandler<EffectCounterEntity.Reached>, AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final FileOutputStream out;

  DispatchLog(Path file) {
    try {
      this.out = new FileOutputStream(file.toFile(), true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the dispatch log " + file, e);
    }
  }

  @Override
  public void dispatch(EffectCounterEntity.Reached effect, EffectContext ctx) throws IOException {
    ObjectNode line = JSON.createObjectNode();
    line.put("node", ctx.nodeId());
    line.put("term", ctx.term());
    line.put("logIndex", ctx.logIndex());
    line.put("idempotencyKey", ctx.idempotencyKey());
    byte[] bytes = (JSON.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8);
    synchronized (out) {
      out.write(bytes);
    }
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
