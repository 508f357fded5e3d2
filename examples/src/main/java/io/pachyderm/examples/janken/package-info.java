/**
 * Rock-paper-scissors (janken), the seed's suggested demo, as three entity types that only talk
 * by message: a {@link io.pachyderm.examples.janken.Lobby} starts a
 * {@link io.pachyderm.examples.janken.Game}, the game invites two
 * {@link io.pachyderm.examples.janken.Player}s, each player's client moves through its player
 * entity, which tells the game; the game resolves when both have moved, or when its durable
 * move-deadline timer fires (a forfeit), and tells the players and the lobby.
 */
package io.pachyderm.examples.janken;
