package io.pachyderm.node.security;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The identity rule. A certificate's roles come only from its subject alternative names of type
 * URI, never from its common name, so a CA that also issues certificates to people or services
 * cannot make one a peer by accident:
 * <ul>
 *   <li>{@code URI:pachyderm:peer:<id>}: the node {@code <id>}; its calls to the Raft peer service
 *       are accepted while {@code <id>} is a member of the group. A node's certificate must also
 *       name its host (DNS or IP SAN): its peers and clients check that when they connect.</li>
 *   <li>{@code URI:pachyderm:admin:<name>}: an operator; may use Ratis' admin service.</li>
 *   <li>{@code URI:pachyderm:client:<name>}: the client {@code <name>}, as a node's authorization
 *       policy ({@link AuthorizationPolicy}) names it; an admin's {@code <name>} counts there too.</li>
 *   <li>any other certificate the trust bundle verifies: an anonymous client, which a policy can
 *       never name (it may use the client service only on a node without a policy).</li>
 * </ul>
 * For example: {@code openssl req ... -addext "subjectAltName=URI:pachyderm:peer:n1,IP:10.0.0.1"}.
 * Stateless and thread-safe.
 */
public final class Identities {
  /** URI SAN prefix of a node certificate; the node id follows. */
  public static final String PEER_URI_PREFIX = "pachyderm:peer:";
  /** URI SAN prefix of an operator certificate; a free-form name follows. */
  public static final String ADMIN_URI_PREFIX = "pachyderm:admin:";
  /** URI SAN prefix of a client certificate; the client's name (as a policy names it) follows. */
  public static final String CLIENT_URI_PREFIX = "pachyderm:client:";

  /** GeneralName tags in {@link X509Certificate#getSubjectAlternativeNames()}. */
  private static final int SAN_DNS = 2;
  private static final int SAN_URI = 6;
  private static final int SAN_IP = 7;

  private Identities() {}

  /** The node ids the certificate names (normally one). */
  public static List<String> peerIds(X509Certificate certificate) {
    return urisWithPrefix(certificate, PEER_URI_PREFIX);
  }

  /** Whether the certificate names an operator. */
  public static boolean isAdmin(X509Certificate certificate) {
    return !urisWithPrefix(certificate, ADMIN_URI_PREFIX).isEmpty();
  }

  /**
   * The names an authorization policy may grant to: the certificate's client names, then its admin
   * names (normally one in all). Empty for a certificate with neither, whatever its common name.
   */
  public static List<String> policyNames(X509Certificate certificate) {
    List<String> names = new ArrayList<>(urisWithPrefix(certificate, CLIENT_URI_PREFIX));
    names.addAll(urisWithPrefix(certificate, ADMIN_URI_PREFIX));
    return List.copyOf(names);
  }

  /** The first peer id, else the admin name, else the client name, else the subject: for log lines and refusals. */
  public static String describe(X509Certificate certificate) {
    List<String> peers = peerIds(certificate);
    if (!peers.isEmpty()) {
      return "peer " + peers.get(0);
    }
    Optional<String> admin = urisWithPrefix(certificate, ADMIN_URI_PREFIX).stream().findFirst();
    if (admin.isPresent()) {
      return "admin " + admin.get();
    }
    Optional<String> client = urisWithPrefix(certificate, CLIENT_URI_PREFIX).stream().findFirst();
    return client.map(c -> "client " + c)
        .orElseGet(() -> "client '" + certificate.getSubjectX500Principal() + "'");
  }

  /**
   * Whether the certificate names {@code host} the way gRPC's hostname check on the connecting
   * side wants it: an IP address SAN equal to an IP literal, or a DNS SAN equal to a name (or a
   * {@code *.} wildcard for its first label). Without it peers and clients refuse the node.
   */
  public static boolean namesHost(X509Certificate certificate, String host) {
    String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    java.net.InetAddress ip = ipLiteral(bare);
    Collection<List<?>> names;
    try {
      names = certificate.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      return false;
    }
    if (names == null) {
      return false;
    }
    for (List<?> name : names) {
      if (name.size() != 2 || !(name.get(0) instanceof Integer tag) || !(name.get(1) instanceof String value)) {
        continue;
      }
      if (ip != null && tag == SAN_IP && ip.equals(ipLiteral(value))) {
        return true;
      }
      if (ip == null && tag == SAN_DNS && dnsMatches(value, bare)) {
        return true;
      }
    }
    return false;
  }

  private static boolean dnsMatches(String pattern, String host) {
    String p = pattern.toLowerCase(java.util.Locale.ROOT);
    String h = host.toLowerCase(java.util.Locale.ROOT);
    if (p.startsWith("*.")) {
      int dot = h.indexOf('.');
      return dot > 0 && h.substring(dot).equals(p.substring(1));
    }
    return p.equals(h);
  }

  /** The address an IP literal stands for, or null for a name (no DNS lookup). */
  private static java.net.InetAddress ipLiteral(String text) {
    boolean v4 = text.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
    boolean v6 = text.contains(":") && text.matches("[0-9A-Fa-f:.%a-zA-Z]+");
    if (!v4 && !v6) {
      return null;
    }
    try {
      return java.net.InetAddress.getByName(text);
    } catch (java.net.UnknownHostException e) {
      return null;
    }
  }

  private static List<String> urisWithPrefix(X509Certificate certificate, String prefix) {
    Collection<List<?>> names;
    try {
      names = certificate.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      // An unparsable extension grants nothing.
      return List.of();
    }
    if (names == null) {
      return List.of();
    }
    List<String> found = new ArrayList<>();
    for (List<?> name : names) {
      if (name.size() == 2 && name.get(0) instanceof Integer tag && tag == SAN_URI
          && name.get(1) instanceof String uri && uri.startsWith(prefix) && uri.length() > prefix.length()) {
        found.add(uri.substring(prefix.length()));
      }
    }
    return List.copyOf(found);
  }
}
