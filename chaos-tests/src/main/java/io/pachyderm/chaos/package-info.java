/**
 * The Jepsen-style chaos suite: real node processes in Linux network namespaces, a generator of
 * client operations, nemeses that inject faults, a recorded history, and checkers that judge it.
 */
package io.pachyderm.chaos;
