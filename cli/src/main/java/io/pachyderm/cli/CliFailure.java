package io.pachyderm.cli;

/** An expected failure the user can act on (no leader, a cluster already running); printed as one line. */
final class CliFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  CliFailure(String message) {
    super(message);
  }
}
