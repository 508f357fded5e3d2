/**
 * Booking a meeting room's slot, twice: {@link io.pachyderm.examples.booking.CheckThenBook} asks
 * the {@link io.pachyderm.examples.booking.Room} whether a slot is free with one message and books
 * it with another, so two bookings racing for one slot can both hear "free" and both book it (a
 * check-then-act across messages: found by exploring every delivery order, see the simulation
 * tests); {@link io.pachyderm.examples.booking.Booking} lets the room decide reserve-or-refuse in
 * one handle, which its one-command-at-a-time order makes atomic.
 */
package io.pachyderm.examples.booking;
