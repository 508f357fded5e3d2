/**
 * Hosts for the chaos suite: a Linux network namespace per node on a bridge, created and always
 * torn down by the harness, and the {@code iptables} rules that cut links between them.
 */
package io.pachyderm.chaos.net;
