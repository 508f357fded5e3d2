/**
 * TLS material from PEM files: {@link io.pachyderm.cluster.tls.TlsFiles} names a certificate
 * chain, its PKCS#8 private key and a trust bundle; {@link io.pachyderm.cluster.tls.TlsFiles#load()}
 * reads them at once into a {@link io.pachyderm.cluster.tls.TlsMaterial} that clients and nodes hand
 * to Ratis' gRPC transport. Pachyderm's TLS is always mutual: both ends present a certificate.
 */
package io.pachyderm.cluster.tls;
