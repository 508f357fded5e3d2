package io.pachyderm.node;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** Prometheus' text format (0.0.4), parsed enough for tests: samples with name, labels and value. */
record Scrape(List<Sample> samples) {
  record Sample(String name, Map<String, String> labels, double value) {
    String label(String key) {
      return labels.get(key);
    }
  }

  static Scrape parse(String text) {
    List<Sample> samples = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int brace = line.indexOf('{');
      int space = line.lastIndexOf(' ');
      String name;
      Map<String, String> labels = new LinkedHashMap<>();
      if (brace >= 0 && brace < space) {
        name = line.substring(0, brace);
        parseLabels(line.substring(brace + 1, line.lastIndexOf('}')), labels);
      } else {
        name = line.substring(0, space);
      }
      samples.add(new Sample(name, labels, Double.parseDouble(line.substring(space + 1))));
    }
    return new Scrape(List.copyOf(samples));
  }

  private static void parseLabels(String body, Map<String, String> labels) {
    int i = 0;
    while (i < body.length()) {
      int eq = body.indexOf('=', i);
      String key = body.substring(i, eq).strip();
      StringBuilder value = new StringBuilder();
      int j = eq + 2; // after ="
      while (body.charAt(j) != '"') {
        if (body.charAt(j) == '\\') {
          j++;
        }
        value.append(body.charAt(j));
        j++;
      }
      labels.put(key, value.toString());
      i = j + 1;
      if (i < body.length() && body.charAt(i) == ',') {
        i++;
      }
    }
  }

  double sum(Predicate<Sample> which) {
    double total = 0;
    for (Sample s : samples) {
      if (which.test(s)) {
        total += s.value();
      }
    }
    return total;
  }

  /** The value of the one sample {@code name} with label {@code key=value}; fails when absent. */
  double value(String name, String key, String value) {
    for (Sample s : samples) {
      if (s.name().equals(name) && value.equals(s.label(key))) {
        return s.value();
      }
    }
    throw new AssertionError("no sample " + name + "{" + key + "=\"" + value + "\"}");
  }
}
