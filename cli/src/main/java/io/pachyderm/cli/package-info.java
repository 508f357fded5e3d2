/**
 * The {@code pachyderm} launcher behind {@code bin/pachyderm}: runs a node with the example
 * entity types, sends commands and reads to a cluster as JSON (so it needs no entity classes),
 * prints cluster status, lists, redrives and discards dead letters, and starts and stops a local
 * cluster of node processes.
 *
 * <p>Only {@link io.pachyderm.cli.PachydermCli#main} is public. Every failure the user can cause
 * ends in one line on stderr and an exit code listed in {@code pachyderm --help}; never a stack
 * trace (set {@code PACHYDERM_DEBUG=1} to see one for an unexpected failure).
 */
package io.pachyderm.cli;
