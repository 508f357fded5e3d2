package io.pachyderm.api;

/** Why a command was refused. A rejected command wrote nothing. */
public enum RejectionKind {
  /** The handler returned {@code Decision.reject(reason)}. */
  REJECTED_BY_ENTITY,
  /** No entity type of that name is registered on the node. */
  UNKNOWN_ENTITY_TYPE,
  /** The command bytes could not be decoded into a registered command class. */
  UNDECODABLE_PAYLOAD,
  /** {@code handle} threw, or a named query's function threw or returned what cannot be encoded. */
  HANDLER_FAILED,
  /** {@code apply} threw on one of the command's events (checked on the leader before writing). */
  APPLY_FAILED,
  /** An event, effect or reply could not be encoded, or names an unregistered effect handler. */
  INVALID_DECISION,
  /** The request or the resulting record is larger than the configured limit. */
  TOO_LARGE,
  /** A malformed request (bad ecosystem or id, missing fields, an unknown query or args that do not fit it). */
  INVALID_REQUEST,
  /**
   * A configured bound is full: the ecosystem's entity quota, or the replicated outbox. The message
   * names the limit; nothing was applied, and the same command may succeed once there is room.
   */
  LIMIT_EXCEEDED
}
