package io.pachyderm.chaos.net;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Hosts for a chaos run: one Linux network namespace per node, each joined by a veth pair to a
 * bridge in the root namespace. The bridge carries an address too, so the harness (in the root
 * namespace) reaches every node directly, while partitions cut only node-to-node links.
 *
 * <pre>
 * slot s (0..{@value #SLOTS_MAX}-1), node i (1..{@value #NODES_MAX}):
 *   namespace  pchy{s}-n{i}      eth0 = 10.213.{s}.{i}/24, lo up
 *   veth       pchy{s}-v{i}      (root end, enslaved to the bridge)
 *   bridge     pchy{s}-br        10.213.{s}.254/24
 * </pre>
 *
 * <p>Runs on one machine may overlap (two engineers, a CI job and a long run): each run holds a
 * slot, an exclusive lock on {@code /tmp/pachyderm-chaos/slot-s.lock}. The lock dies with its
 * process, so whatever a slot's names hold when the lock is taken is the leftover of a crashed
 * run and is removed first: its node processes are killed and its links and namespaces deleted.
 *
 * <p>Everything is torn down by {@link #close()}, and by a JVM shutdown hook if the harness is
 * interrupted. Needs root, {@code ip} (iproute2) and {@code iptables}; see
 * {@link #unavailableReason()}. Thread-safe: the partition methods may be called from any thread.
 */
public final class NetnsHosts implements AutoCloseable {
  public static final int SLOTS_MAX = 8;
  public static final int NODES_MAX = 9;
  private static final Path LOCK_DIR = Path.of(System.getProperty("java.io.tmpdir"), "pachyderm-chaos");

  private final int slot;
  private final int nodes;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final Thread shutdownHook;
  /** Run by teardown once the slot's processes are killed, newest first; guarded by this. */
  private final List<Runnable> teardownSteps = new ArrayList<>();
  private boolean closed;

  private NetnsHosts(int slot, int nodes, FileChannel lockChannel, FileLock lock) {
    this.slot = slot;
    this.nodes = nodes;
    this.lockChannel = lockChannel;
    this.lock = lock;
    this.shutdownHook = new Thread(this::teardownQuietly, "netns-teardown-slot-" + slot);
  }

  /**
   * Why namespaces cannot be used here, or empty when they can: not Linux, not root, {@code ip}
   * or {@code iptables} missing, or creating a namespace fails (a container without
   * CAP_SYS_ADMIN).
   */
  public static Optional<String> unavailableReason() {
    if (!System.getProperty("os.name", "").toLowerCase().contains("linux")) {
      return Optional.of("network namespaces need Linux; this is " + System.getProperty("os.name"));
    }
    if (!isRoot()) {
      return Optional.of("network namespaces and iptables need root; run as root (CI does)");
    }
    for (String tool : List.of("ip", "iptables")) {
      if (!onPath(tool)) {
        return Optional.of("'" + tool + "' is not installed (apt-get install iproute2 iptables; .ci/run does)");
      }
    }
    String probe = "pchy-probe-" + ProcessHandle.current().pid();
    Shell.Result add = Shell.tryRun(List.of("ip", "netns", "add", probe));
    if (!add.ok()) {
      return Optional.of("cannot create a network namespace: " + add);
    }
    Shell.Result iptables = Shell.tryRun(List.of("ip", "netns", "exec", probe, "iptables", "-w", "5", "-S"));
    Shell.tryRun(List.of("ip", "netns", "del", probe));
    if (!iptables.ok()) {
      return Optional.of("iptables does not work inside a namespace: " + iptables);
    }
    return Optional.empty();
  }

  /**
   * Takes a free slot, removes that slot's leftovers, and creates {@code nodes} hosts.
   *
   * @throws IllegalStateException if every slot is in use or a command fails (then nothing of
   *     this slot is left behind)
   */
  public static NetnsHosts create(int nodes) {
    if (nodes < 1 || nodes > NODES_MAX) {
      throw new IllegalArgumentException("nodes must be 1.." + NODES_MAX + ": " + nodes);
    }
    try {
      Files.createDirectories(LOCK_DIR);
    } catch (IOException e) {
      throw new IllegalStateException("cannot create " + LOCK_DIR + ": " + e.getMessage(), e);
    }
    for (int slot = 0; slot < SLOTS_MAX; slot++) {
      NetnsHosts hosts = tryLockSlot(slot, nodes);
      if (hosts == null) {
        continue;
      }
      try {
        removeLeftovers(slot);
        hosts.setUp();
      } catch (RuntimeException e) {
        hosts.teardownQuietly();
        throw e;
      }
      return hosts;
    }
    throw new IllegalStateException("all " + SLOTS_MAX + " chaos slots are in use (locks in " + LOCK_DIR + ")");
  }

  private static NetnsHosts tryLockSlot(int slot, int nodes) {
    Path file = LOCK_DIR.resolve("slot-" + slot + ".lock");
    FileChannel channel = null;
    try {
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock = channel.tryLock();
      if (lock == null) {
        channel.close();
        return null;
      }
      channel.truncate(0);
      channel.write(StandardCharsets.UTF_8.encode(ProcessHandle.current().pid() + "\n"));
      return new NetnsHosts(slot, nodes, channel, lock);
    } catch (OverlappingFileLockException e) {
      // Held by this very JVM (another run in the same test JVM).
      closeQuietly(channel);
      return null;
    } catch (IOException e) {
      closeQuietly(channel);
      throw new IllegalStateException("cannot lock " + file + ": " + e.getMessage(), e);
    }
  }

  public int slot() {
    return slot;
  }

  public int nodes() {
    return nodes;
  }

  /** The namespace of node {@code i} (1-based). */
  public String namespace(int i) {
    return namespace(slot, checkNode(i));
  }

  /** The address of node {@code i} (1-based) inside its namespace; reachable from the root namespace. */
  public String address(int i) {
    return "10.213." + slot + "." + checkNode(i);
  }

  /** The bridge's own address: where the harness's traffic comes from, as the nodes see it. */
  public String bridgeAddress() {
    return "10.213." + slot + ".254";
  }

  /** {@code command} run inside node {@code i}'s namespace. */
  public List<String> inNamespace(int i, List<String> command) {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace(i)));
    full.addAll(command);
    return full;
  }

  /** Node {@code node} stops receiving anything from node {@code from} (one direction). */
  public void drop(int node, int from) {
    Shell.run(inNamespace(node, List.of("iptables", "-w", "5", "-A", "INPUT", "-s", address(from), "-j", "DROP")));
  }

  /** Removes every DROP rule on every node. */
  public void healAll() {
    for (int i = 1; i <= nodes; i++) {
      Shell.run(inNamespace(i, List.of("iptables", "-w", "5", "-F", "INPUT")));
    }
  }

  /** Process ids of everything running in node {@code i}'s namespace. */
  public List<Long> pids(int i) {
    return pidsOf(namespace(i));
  }

  /**
   * Adds a step to the teardown ({@link #close()} or the shutdown hook of an interrupted
   * harness), run after every process in the slot's namespaces has been sent SIGKILL and before
   * the namespaces go; steps run newest first. For resources the nodes use, such as their data
   * disks. A step should not throw; if it does, the rest of the teardown still runs.
   */
  public synchronized void onTeardown(Runnable step) {
    teardownSteps.add(0, step);
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException alreadyShuttingDown) {
      // The hook is running or will run; tearing down twice is harmless.
    }
    teardown();
  }

  private void setUp() {
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    String bridge = bridge(slot);
    Shell.run(List.of("ip", "link", "add", bridge, "type", "bridge"));
    Shell.run(List.of("ip", "addr", "add", bridgeAddress() + "/24", "dev", bridge));
    Shell.run(List.of("ip", "link", "set", bridge, "up"));
    if (rootForwardingDropsBridgedTraffic()) {
      // With br_netfilter loaded, frames between two ports of a bridge traverse the root
      // namespace's FORWARD chain; a host firewall with policy DROP (Docker sets one) would cut
      // every node from every other. Let our own bridge's traffic through, and only it.
      Shell.run(List.of("iptables", "-w", "5", "-I", "FORWARD", "-i", bridge, "-o", bridge, "-j", "ACCEPT"));
    }
    for (int i = 1; i <= nodes; i++) {
      String ns = namespace(i);
      String veth = veth(slot, i);
      Shell.run(List.of("ip", "netns", "add", ns));
      Shell.run(List.of("ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns));
      Shell.run(List.of("ip", "link", "set", veth, "master", bridge));
      Shell.run(List.of("ip", "link", "set", veth, "up"));
      Shell.run(inNamespace(i, List.of("ip", "addr", "add", address(i) + "/24", "dev", "eth0")));
      Shell.run(inNamespace(i, List.of("ip", "link", "set", "eth0", "up")));
      Shell.run(inNamespace(i, List.of("ip", "link", "set", "lo", "up")));
    }
  }

  private void teardownQuietly() {
    try {
      teardown();
    } catch (RuntimeException e) {
      System.err.println("chaos: teardown of slot " + slot + " failed: " + e);
    }
  }

  private synchronized void teardown() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      killProcesses(slot);
      for (Runnable step : teardownSteps) {
        try {
          step.run();
        } catch (RuntimeException e) {
          System.err.println("chaos: a teardown step of slot " + slot + " failed: " + e);
        }
      }
      removeLeftovers(slot);
    } finally {
      try {
        lock.release();
      } catch (IOException e) {
        // Closing the channel releases it too.
      }
      closeQuietly(lockChannel);
    }
  }

  /**
   * Kills every process in the slot's namespaces and deletes its links and namespaces. Deleting a
   * namespace frees its end of a veth pair asynchronously, so the root ends are deleted explicitly.
   */
  static void removeLeftovers(int slot) {
    String prefix = "pchy" + slot + "-";
    List<String> failures = new ArrayList<>();
    killProcesses(slot);
    for (String link : links()) {
      if (link.startsWith(prefix + "v")) {
        record(failures, Shell.tryRun(List.of("ip", "link", "del", link)));
      }
    }
    for (String ns : namespaces()) {
      if (ns.startsWith(prefix)) {
        record(failures, Shell.tryRun(List.of("ip", "netns", "del", ns)));
      }
    }
    if (links().contains(bridge(slot))) {
      record(failures, Shell.tryRun(List.of("ip", "link", "del", bridge(slot))));
    }
    // The FORWARD rule setUp may have added; deleting a rule that is not there fails harmlessly.
    for (int i = 0; i < 10 && Shell.tryRun(List.of("iptables", "-w", "5", "-D", "FORWARD", "-i", bridge(slot), "-o",
        bridge(slot), "-j", "ACCEPT")).ok(); i++) {
      // Removed one copy; look for another.
    }
    if (!failures.isEmpty()) {
      throw new IllegalStateException("cleanup of chaos slot " + slot + " failed: " + String.join("; ", failures));
    }
  }

  /** SIGKILL to every process in the slot's namespaces (a stopped process dies of it too). */
  private static void killProcesses(int slot) {
    String prefix = "pchy" + slot + "-";
    for (String ns : namespaces()) {
      if (ns.startsWith(prefix)) {
        for (long pid : pidsOf(ns)) {
          ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
      }
    }
  }

  private static void record(List<String> failures, Shell.Result r) {
    if (!r.ok()) {
      failures.add(r.toString());
    }
  }

  private static List<String> namespaces() {
    List<String> names = new ArrayList<>();
    Shell.Result r = Shell.tryRun(List.of("ip", "netns", "list"));
    for (String line : r.output().split("\n")) {
      String name = line.strip().split("\\s+")[0];
      if (!name.isEmpty()) {
        names.add(name);
      }
    }
    return names;
  }

  private static List<String> links() {
    List<String> names = new ArrayList<>();
    Shell.Result r = Shell.tryRun(List.of("ip", "-o", "link", "show"));
    for (String line : r.output().split("\n")) {
      // "7: pchy0-v1@if2: <BROADCAST,..." -> pchy0-v1
      String[] parts = line.split(":\\s+", 3);
      if (parts.length >= 2) {
        String name = parts[1];
        int at = name.indexOf('@');
        names.add(at >= 0 ? name.substring(0, at) : name);
      }
    }
    return names;
  }

  private static List<Long> pidsOf(String ns) {
    List<Long> pids = new ArrayList<>();
    Shell.Result r = Shell.tryRun(List.of("ip", "netns", "pids", ns));
    if (!r.ok()) {
      return pids;
    }
    for (String line : r.output().split("\n")) {
      String s = line.strip();
      if (!s.isEmpty() && s.chars().allMatch(Character::isDigit)) {
        pids.add(Long.parseLong(s));
      }
    }
    return pids;
  }

  private int checkNode(int i) {
    if (i < 1 || i > nodes) {
      throw new IllegalArgumentException("node index must be 1.." + nodes + ": " + i);
    }
    return i;
  }

  private static String namespace(int slot, int i) {
    return "pchy" + slot + "-n" + i;
  }

  private static String veth(int slot, int i) {
    return "pchy" + slot + "-v" + i;
  }

  private static String bridge(int slot) {
    return "pchy" + slot + "-br";
  }

  /** Whether bridged frames pass the root FORWARD chain and that chain does not accept by default. */
  private static boolean rootForwardingDropsBridgedTraffic() {
    try {
      Path sysctl = Path.of("/proc/sys/net/bridge/bridge-nf-call-iptables");
      if (!Files.exists(sysctl) || !Files.readString(sysctl, StandardCharsets.UTF_8).strip().equals("1")) {
        return false;
      }
    } catch (IOException e) {
      return false;
    }
    Shell.Result policy = Shell.tryRun(List.of("iptables", "-w", "5", "-S", "FORWARD"));
    return policy.ok() && !policy.output().contains("-P FORWARD ACCEPT");
  }

  private static boolean isRoot() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.UTF_8)) {
        if (line.startsWith("Uid:")) {
          return line.split("\\s+")[2].equals("0");
        }
      }
    } catch (IOException e) {
      return false;
    }
    return false;
  }

  private static boolean onPath(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
      if (Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return false;
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel == null) {
      return;
    }
    try {
      channel.close();
    } catch (IOException e) {
      // Nothing useful to do: the lock dies with the process anyway.
    }
  }
}
