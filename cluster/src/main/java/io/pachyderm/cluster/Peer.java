package io.pachyderm.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A cluster member: a stable node id and where it serves.
 *
 * <ul>
 *   <li>{@code address}: the Raft peer port ({@code host:port}), where the other members reach it;</li>
 *   <li>{@code clientAddress}: where clients send calls, queries, history reads and {@code status};</li>
 *   <li>{@code adminAddress}: Ratis' admin API (reconfiguration, snapshots, leadership transfer).</li>
 * </ul>
 *
 * Either all three are the same address (one port serves everything: {@link #Peer(String, String)},
 * for development), or all three differ, so that a firewall can keep clients off the peer port and
 * the admin API on loopback. Immutable.
 *
 * <p>{@link #parseList} reads the {@code --peers} syntax: {@code n1=10.0.0.1:7001} (one port) or
 * {@code n1=10.0.0.1:7001;client=7101;admin=7201} (separate ports). A bare {@code client} port is
 * on the peer address's host; a bare {@code admin} port is on {@value #ADMIN_HOST_DEFAULT}, so the
 * admin API is reachable only from the node's own host unless a host is given
 * ({@code admin=10.0.0.1:7201}).
 */
public record Peer(String id, String address, String clientAddress, String adminAddress) {
  /** Where a bare {@code admin=PORT} binds: loopback, so the admin API is local to the node's host. */
  public static final String ADMIN_HOST_DEFAULT = "127.0.0.1";

  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");
  private static final String CLIENT_KEY = "client=";
  private static final String ADMIN_KEY = "admin=";

  public Peer {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(clientAddress, "client address");
    Objects.requireNonNull(adminAddress, "admin address");
    if (!ID.matcher(id).matches()) {
      throw new IllegalArgumentException("peer id '" + id + "' must be 1..64 letters, digits, '_' or '-'");
    }
    requireHostPort(id, "address", address);
    requireHostPort(id, "client address", clientAddress);
    requireHostPort(id, "admin address", adminAddress);
    boolean onePort = address.equals(clientAddress) && address.equals(adminAddress);
    boolean threePorts = !address.equals(clientAddress) && !address.equals(adminAddress)
        && !clientAddress.equals(adminAddress);
    if (!onePort && !threePorts) {
      // Two services sharing a port while the third has its own would put the admin API or the
      // Raft service on a port meant for something else, which is what separate ports prevent.
      throw new IllegalArgumentException("peer " + id + ": peer " + address + ", client " + clientAddress
          + " and admin " + adminAddress + " must be all the same address (one port) or three different ones");
    }
  }

  /** One port for peers, clients and admin calls; for development and trusted networks only. */
  public Peer(String id, String address) {
    this(id, address, address, address);
  }

  /** Whether the client and admin services have ports of their own. */
  public boolean separatePorts() {
    return !address.equals(clientAddress);
  }

  /** Host of the peer address. */
  public String host() {
    return hostOf(address);
  }

  /** Port of the peer address. */
  public int port() {
    return portOf(address);
  }

  public String clientHost() {
    return hostOf(clientAddress);
  }

  public int clientPort() {
    return portOf(clientAddress);
  }

  public String adminHost() {
    return hostOf(adminAddress);
  }

  public int adminPort() {
    return portOf(adminAddress);
  }

  /**
   * Parses a comma-separated list of peers: {@code n1=127.0.0.1:7001,n2=127.0.0.1:7002} (one port
   * each) or {@code n1=10.0.0.1:7001;client=7101;admin=7201,n2=...} (separate ports; see the class
   * comment for defaults). Every peer of a list must use the same form.
   *
   * @throws IllegalArgumentException naming the peer and the part that is wrong
   */
  public static List<Peer> parseList(String spec) {
    List<Peer> peers = new ArrayList<>();
    for (String part : spec.split(",")) {
      String p = part.trim();
      if (p.isEmpty()) {
        continue;
      }
      peers.add(parse(p));
    }
    if (peers.isEmpty()) {
      throw new IllegalArgumentException("no peers in '" + spec + "'");
    }
    if (peers.stream().map(Peer::id).distinct().count() != peers.size()) {
      throw new IllegalArgumentException("duplicate peer ids in '" + spec + "'");
    }
    long separate = peers.stream().filter(Peer::separatePorts).count();
    if (separate != 0 && separate != peers.size()) {
      // A client or node given a mixed list would reach some members only on their peer port.
      throw new IllegalArgumentException("peers in '" + spec + "' mix one-port and separate-port entries; "
          + "give client= and admin= for every peer or for none");
    }
    return List.copyOf(peers);
  }

  /** Parses one entry: {@code id=host:port} with optional {@code ;client=...;admin=...}. */
  static Peer parse(String entry) {
    int eq = entry.indexOf('=');
    int semicolon = entry.indexOf(';');
    if (eq <= 0 || (semicolon >= 0 && semicolon < eq)) {
      throw new IllegalArgumentException("peer '" + entry + "' must be id=host:port, optionally followed by "
          + ";client=PORT;admin=PORT");
    }
    String id = entry.substring(0, eq).trim();
    String[] parts = entry.substring(eq + 1).split(";", -1);
    String address = parts[0].trim();
    if (parts.length == 1) {
      return new Peer(id, address);
    }
    String client = null;
    String admin = null;
    for (int i = 1; i < parts.length; i++) {
      String option = parts[i].trim();
      if (option.startsWith(CLIENT_KEY)) {
        if (client != null) {
          throw new IllegalArgumentException("peer " + id + ": client= given twice in '" + entry + "'");
        }
        client = withHost(id, "client", option.substring(CLIENT_KEY.length()).trim(), hostOrEmpty(address));
      } else if (option.startsWith(ADMIN_KEY)) {
        if (admin != null) {
          throw new IllegalArgumentException("peer " + id + ": admin= given twice in '" + entry + "'");
        }
        admin = withHost(id, "admin", option.substring(ADMIN_KEY.length()).trim(), ADMIN_HOST_DEFAULT);
      } else {
        throw new IllegalArgumentException("peer " + id + ": unknown part '" + option + "' in '" + entry
            + "'; expected client=PORT or client=HOST:PORT, and admin=PORT or admin=HOST:PORT");
      }
    }
    if (client == null || admin == null) {
      throw new IllegalArgumentException("peer " + id + ": '" + entry + "' gives " + (client == null ? "admin=" : "client=")
          + " but not " + (client == null ? "client=" : "admin=") + "; give both for separate ports, or neither "
          + "for one port");
    }
    return new Peer(id, address, client, admin);
  }

  /** {@code PORT} becomes {@code defaultHost:PORT}; {@code HOST:PORT} stays. */
  private static String withHost(String id, String what, String value, String defaultHost) {
    if (value.isEmpty()) {
      throw new IllegalArgumentException("peer " + id + ": " + what + "= needs a port or host:port");
    }
    if (value.chars().allMatch(Character::isDigit)) {
      return defaultHost + ":" + value;
    }
    return value;
  }

  /** The host of {@code address} when it is host:port; else an empty host, which the check then names. */
  private static String hostOrEmpty(String address) {
    int colon = address.lastIndexOf(':');
    return colon > 0 ? address.substring(0, colon) : "";
  }

  private static void requireHostPort(String id, String what, String address) {
    int colon = address.lastIndexOf(':');
    if (colon <= 0 || colon == address.length() - 1) {
      throw new IllegalArgumentException("peer " + id + ": " + what + " '" + address + "' must be host:port");
    }
    int port;
    try {
      port = Integer.parseInt(address.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("peer " + id + ": port of " + what + " '" + address + "' is not a number");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("peer " + id + ": " + what + " port " + port + " is outside 1..65535");
    }
  }

  private static String hostOf(String address) {
    return address.substring(0, address.lastIndexOf(':'));
  }

  private static int portOf(String address) {
    return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
  }

  /** The {@code --peers} form, which {@link #parseList} reads back to an equal peer. */
  @Override
  public String toString() {
    if (!separatePorts()) {
      return id + "=" + address;
    }
    return id + "=" + address + ";client=" + clientAddress + ";admin=" + adminAddress;
  }
}
