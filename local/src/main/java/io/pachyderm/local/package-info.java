/**
 * The local ecosystem: a one-node Pachyderm on local disk, embedded in the application, with the
 * same state machine and log as a cluster. Zero setup: give it a directory.
 */
package io.pachyderm.local;
