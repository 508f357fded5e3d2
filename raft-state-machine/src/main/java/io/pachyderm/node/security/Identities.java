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
 *   <li>any other certificate the trust bundle verifies: a client.</li>
 * </ul>
 * For example: {@code openssl req ... -addext "subjectAltName=URI:pachyderm:peer:n1,IP:10.0.0.1"}.
 * Stateless and thread-safe.
 */
public final class Identities {
  /** URI SAN prefix of a node certificate; the node id follows. */
  public static final String PEER_URI_PREFIX = "pachyderm:peer:";
  /** URI SAN prefix of an operator certificate; a free-form name follows. */
  public static final String ADMIN_URI_PREFIX = "pachyderm:admin:";

  /** GeneralName tag of a URI in {@link X509Certificate#getSubjectAlternativeNames()}. */
  private static final int SAN_URI = 6;

  private Identities() {}

  /** The node ids the certificate names (normally one). */
  public static List<String> peerIds(X509Certificate certificate) {
    return urisWithPrefix(certificate, PEER_URI_PREFIX);
  }

  /** Whether the certificate names an operator. */
  public static boolean isAdmin(X509Certificate certificate) {
    return !urisWithPrefix(certificate, ADMIN_URI_PREFIX).isEmpty();
  }

  /** The first peer id, else the admin name, else the subject: for log lines and refusals. */
  public static String describe(X509Certificate certificate) {
    List<String> peers = peerIds(certificate);
    if (!peers.isEmpty()) {
      return "peer " + peers.get(0);
    }
    Optional<String> admin = urisWithPrefix(certificate, ADMIN_URI_PREFIX).stream().findFirst();
    return admin.map(a -> "admin " + a).orElseGet(() -> "client '" + certificate.getSubjectX500Principal() + "'");
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
