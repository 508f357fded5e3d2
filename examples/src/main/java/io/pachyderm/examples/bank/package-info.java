/**
 * Accounts that pay each other by message (debit here, credit there, exactly once): the example
 * whose invariant, a constant total, checks messaging end to end.
 */
package io.pachyderm.examples.bank;
