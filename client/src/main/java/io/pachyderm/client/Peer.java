package io.pachyderm.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/** A cluster member: a stable node id and its {@code host:port} address. */
public record Peer(String id, String address) {
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");

  public Peer {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(address, "address");
    if (!ID.matcher(id).matches()) {
      throw new IllegalArgumentException("peer id '" + id + "' must be 1..64 letters, digits, '_' or '-'");
    }
    int colon = address.lastIndexOf(':');
    if (colon <= 0 || colon == address.length() - 1) {
      throw new IllegalArgumentException("peer " + id + ": address '" + address + "' must be host:port");
    }
    int port;
    try {
      port = Integer.parseInt(address.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("peer " + id + ": port of '" + address + "' is not a number");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("peer " + id + ": port " + port + " is outside 1..65535");
    }
  }

  public String host() {
    return address.substring(0, address.lastIndexOf(':'));
  }

  public int port() {
    return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
  }

  /** Parses {@code n1=127.0.0.1:7001,n2=127.0.0.1:7002}. */
  public static List<Peer> parseList(String spec) {
    List<Peer> peers = new ArrayList<>();
    for (String part : spec.split(",")) {
      String p = part.trim();
      if (p.isEmpty()) {
        continue;
      }
      int eq = p.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("peer '" + p + "' must be id=host:port");
      }
      peers.add(new Peer(p.substring(0, eq), p.substring(eq + 1)));
    }
    if (peers.isEmpty()) {
      throw new IllegalArgumentException("no peers in '" + spec + "'");
    }
    if (peers.stream().map(Peer::id).distinct().count() != peers.size()) {
      throw new IllegalArgumentException("duplicate peer ids in '" + spec + "'");
    }
    return List.copyOf(peers);
  }

  @Override
  public String toString() {
    return id + "=" + address;
  }
}
