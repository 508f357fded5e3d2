package io.pachyderm.bench.versus;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * PostgreSQL doing an Orleans-style optimistic entity update: read the row's version and state,
 * then {@code UPDATE ... WHERE id = ? AND version = ?}; no row updated means another caller won
 * the race, so read and try again. One connection per caller, autocommit (each UPDATE is its own
 * transaction, durable with {@code fsync=on} and {@code synchronous_commit=on}, which versus.sh
 * sets and this driver checks).
 *
 * <p>Reads ({@code read} workload): a plain {@code SELECT} on the one primary, which sees every
 * committed update (a single server's read is linearizable). Transfers ({@code bank}): the same
 * optimistic rule over two rows of table {@code account} in one transaction (read both versions,
 * two conditional updates, commit; a lost race or a deadlock rolls back and tries again), rows
 * updated in id order so two transfers never wait on each other in a cycle.
 */
final class PostgresDriver implements Driver {
  /** A caller that loses this many races in a row on one update reports an error rather than spin on. */
  static final int CONFLICT_RETRIES_MAX = 10_000;
  /** A statement waits this long at most for the server (the driver's socketTimeout, in seconds). */
  static final int SOCKET_TIMEOUT_S = 30;
  /** Every account's balance at the start (a transfer never takes one below zero). */
  static final long INITIAL_BALANCE = 1_000_000_000L;
  /** SQLSTATEs of a transaction PostgreSQL aborted for a conflict: deadlock, serialization failure. */
  private static final java.util.Set<String> CONFLICT_STATES = java.util.Set.of("40P01", "40001");

  private final Connection[] connections;
  private final PreparedStatement[] selects;
  private final PreparedStatement[] updates;
  private final PreparedStatement[] accountSelects;
  private final PreparedStatement[] accountUpdates;
  private final byte[] payload;

  PostgresDriver(String jdbcUrl, int callers, int entityCount, byte[] payload) throws SQLException {
    this.payload = payload.clone();
    this.connections = new Connection[callers];
    this.selects = new PreparedStatement[callers];
    this.updates = new PreparedStatement[callers];
    this.accountSelects = new PreparedStatement[callers];
    this.accountUpdates = new PreparedStatement[callers];
    Properties properties = new Properties();
    properties.setProperty("socketTimeout", Integer.toString(SOCKET_TIMEOUT_S));
    try (Connection setup = DriverManager.getConnection(jdbcUrl, properties)) {
      requireSetting(setup, "fsync", "on");
      requireSetting(setup, "synchronous_commit", "on");
      try (Statement s = setup.createStatement()) {
        s.execute("DROP TABLE IF EXISTS register");
        s.execute("CREATE TABLE register (id integer PRIMARY KEY, version bigint NOT NULL, state bytea NOT NULL)");
        s.execute("INSERT INTO register SELECT g, 0, ''::bytea FROM generate_series(0, " + (entityCount - 1) + ") g");
        s.execute("VACUUM ANALYZE register");
        s.execute("DROP TABLE IF EXISTS account");
        s.execute("CREATE TABLE account (id integer PRIMARY KEY, version bigint NOT NULL, balance bigint NOT NULL)");
        s.execute("INSERT INTO account SELECT g, 0, " + INITIAL_BALANCE + " FROM generate_series(0, "
            + (entityCount - 1) + ") g");
        s.execute("VACUUM ANALYZE account");
      }
    }
    for (int c = 0; c < callers; c++) {
      connections[c] = DriverManager.getConnection(jdbcUrl, properties);
      selects[c] = connections[c].prepareStatement("SELECT version, state FROM register WHERE id = ?");
      updates[c] = connections[c].prepareStatement(
          "UPDATE register SET version = ?, state = ? WHERE id = ? AND version = ?");
      accountSelects[c] = connections[c].prepareStatement(
          "SELECT id, version, balance FROM account WHERE id IN (?, ?) ORDER BY id");
      accountUpdates[c] = connections[c].prepareStatement(
          "UPDATE account SET version = ?, balance = ? WHERE id = ? AND version = ?");
    }
  }

  private static void requireSetting(Connection c, String name, String expected) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SHOW " + name)) {
      r.next();
      String actual = r.getString(1);
      if (!expected.equals(actual)) {
        throw new IllegalStateException("PostgreSQL's " + name + " is " + actual + ", the baseline needs " + expected);
      }
    }
  }

  @Override
  public int update(int caller, int key) throws SQLException {
    PreparedStatement select = selects[caller];
    PreparedStatement update = updates[caller];
    for (int conflicts = 0; conflicts <= CONFLICT_RETRIES_MAX; conflicts++) {
      select.setInt(1, key);
      long version;
      try (ResultSet r = select.executeQuery()) {
        if (!r.next()) {
          throw new IllegalStateException("no row for entity " + key + " in table register");
        }
        version = r.getLong(1);
        r.getBytes(2);
      }
      update.setLong(1, version + 1);
      update.setBytes(2, payload);
      update.setInt(3, key);
      update.setLong(4, version);
      if (update.executeUpdate() == 1) {
        return conflicts;
      }
    }
    throw new IllegalStateException("PostgreSQL update of entity " + key + " lost " + CONFLICT_RETRIES_MAX
        + " races in a row");
  }

  @Override
  public int read(int caller, int key) throws SQLException {
    PreparedStatement select = selects[caller];
    select.setInt(1, key);
    try (ResultSet r = select.executeQuery()) {
      if (!r.next()) {
        throw new IllegalStateException("no row for entity " + key + " in table register");
      }
      r.getLong(1);
      r.getBytes(2);
    }
    return 0;
  }

  @Override
  public int transfer(int caller, int from, int to) throws SQLException {
    Connection c = connections[caller];
    c.setAutoCommit(false);
    try {
      for (int conflicts = 0; conflicts <= CONFLICT_RETRIES_MAX; conflicts++) {
        try {
          if (transferOnce(caller, from, to)) {
            c.commit();
            return conflicts;
          }
          c.rollback();
        } catch (SQLException e) {
          c.rollback();
          if (!CONFLICT_STATES.contains(e.getSQLState())) {
            throw e;
          }
        }
      }
    } finally {
      c.setAutoCommit(true);
    }
    throw new IllegalStateException("PostgreSQL transfer " + from + " -> " + to + " lost " + CONFLICT_RETRIES_MAX
        + " races in a row");
  }

  /** One attempt inside the caller's open transaction: false when another transfer won a race. */
  private boolean transferOnce(int caller, int from, int to) throws SQLException {
    PreparedStatement select = accountSelects[caller];
    select.setInt(1, Math.min(from, to));
    select.setInt(2, Math.max(from, to));
    long[] versions = new long[2];
    long[] balances = new long[2];
    int[] ids = new int[2];
    int rows = 0;
    try (ResultSet r = select.executeQuery()) {
      while (r.next() && rows < 2) {
        ids[rows] = r.getInt(1);
        versions[rows] = r.getLong(2);
        balances[rows] = r.getLong(3);
        rows++;
      }
    }
    if (rows != 2) {
      throw new IllegalStateException("accounts " + from + " and " + to + " are not both in table account");
    }
    PreparedStatement update = accountUpdates[caller];
    for (int i = 0; i < 2; i++) {
      long balance = balances[i] + (ids[i] == from ? -1 : 1);
      if (balance < 0) {
        throw new IllegalStateException("account " + from + " has nothing left to transfer");
      }
      update.setLong(1, versions[i] + 1);
      update.setLong(2, balance);
      update.setInt(3, ids[i]);
      update.setLong(4, versions[i]);
      if (update.executeUpdate() != 1) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void close() throws SQLException {
    for (Connection c : connections) {
      if (c != null) {
        c.close();
      }
    }
  }
}
