package io.pachyderm.simulation;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A path through a simulation: at each step, the index of the transition taken among those
 * {@link Explorer} enumerates for that world (deliveries by id, then faults). Replaying a
 * schedule from the same start reproduces the run exactly.
 */
public record Schedule(List<Integer> choices) {
  public Schedule {
    choices = List.copyOf(choices);
  }

  public boolean isEmpty() {
    return choices.isEmpty();
  }

  /** {@code "0,2,1"}. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < choices.size(); i++) {
      b.append(i == 0 ? "" : ",").append(choices.get(i));
    }
    return b.toString();
  }

  /** @throws IllegalArgumentException naming the bad element */
  public static Schedule parse(String text) {
    List<Integer> out = new ArrayList<>();
    String trimmed = text.strip();
    if (trimmed.isEmpty()) {
      return new Schedule(out);
    }
    for (String part : trimmed.split(",")) {
      try {
        int n = Integer.parseInt(part.strip());
        if (n < 0) {
          throw new NumberFormatException("negative");
        }
        out.add(n);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("schedule element '" + part + "' is not a transition index (0, 1, ...)");
      }
    }
    return new Schedule(out);
  }

  public void save(Path file) throws IOException {
    Files.writeString(file, toString() + "\n", StandardCharsets.UTF_8);
  }

  public static Schedule load(Path file) throws IOException {
    return parse(Files.readString(file, StandardCharsets.UTF_8));
  }
}
