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
 */
final class PostgresDriver implements Driver {
  /** A caller that loses this many races in a row on one update reports an error rather than spin on. */
  static final int CONFLICT_RETRIES_MAX = 10_000;
  /** A statement waits this long at most for the server (the driver's socketTimeout, in seconds). */
  static final int SOCKET_TIMEOUT_S = 30;

  private final Connection[] connections;
  private final PreparedStatement[] selects;
  private final PreparedStatement[] updates;
  private final byte[] payload;

  PostgresDriver(String jdbcUrl, int callers, int entityCount, byte[] payload) throws SQLException {
    this.payload = payload.clone();
    this.connections = new Connection[callers];
    this.selects = new PreparedStatement[callers];
    this.updates = new PreparedStatement[callers];
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
      }
    }
    for (int c = 0; c < callers; c++) {
      connections[c] = DriverManager.getConnection(jdbcUrl, properties);
      selects[c] = connections[c].prepareStatement("SELECT version, state FROM register WHERE id = ?");
      updates[c] = connections[c].prepareStatement(
          "UPDATE register SET version = ?, state = ? WHERE id = ? AND version = ?");
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
  public void close() throws SQLException {
    for (Connection c : connections) {
      if (c != null) {
        c.close();
      }
    }
  }
}
