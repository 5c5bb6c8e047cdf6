package dev.pilotlight.store;

import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.FunctionSpec;
import dev.pilotlight.model.release.Alias;
import dev.pilotlight.model.release.Releases;
import dev.pilotlight.model.release.Rollout;
import dev.pilotlight.model.release.RolloutPlan;
import dev.pilotlight.model.release.Traffic;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * {@link Registry} in SQL: on one SQLite connection guarded by a lock (registry traffic is a few
 * writes per deploy and cached reads, so one connection is plenty), or in a PostgreSQL database
 * several daemons share, where a deploy numbers its revision under an advisory lock on the
 * function's name and each daemon finds a revision's code in its own artifact store by SHA-256.
 */
final class SqlRegistry implements Registry {

  /**
   * Schema migrations; {@code MIGRATIONS[i]} takes the schema from version i to i+1. Append only:
   * a released entry must never change, since databases in the field already ran it.
   */
  private static final List<List<String>> MIGRATIONS = List.of(
      List.of(
          """
          CREATE TABLE revisions (
            name        TEXT    NOT NULL,
            revision    INTEGER NOT NULL,
            spec_json   TEXT    NOT NULL,
            code_sha256 TEXT    NOT NULL,
            code_size   INTEGER NOT NULL,
            code_dir    TEXT    NOT NULL,
            deployed_at TEXT    NOT NULL,
            PRIMARY KEY (name, revision)
          )""",
          """
          CREATE TABLE functions (
            name     TEXT    PRIMARY KEY,
            revision INTEGER NOT NULL,
            FOREIGN KEY (name, revision) REFERENCES revisions (name, revision)
          )"""),
      // 1 -> 2: releases (issue 15): published versions, the traffic split, aliases.
      List.of(
          "ALTER TABLE revisions ADD COLUMN published INTEGER NOT NULL DEFAULT 0",
          """
          CREATE TABLE traffic (
            name    TEXT PRIMARY KEY,
            targets TEXT NOT NULL
          )""",
          """
          CREATE TABLE aliases (
            name                TEXT    NOT NULL,
            alias               TEXT    NOT NULL,
            revision            INTEGER,
            additional_revision INTEGER,
            additional_weight   REAL    NOT NULL DEFAULT 0,
            description         TEXT    NOT NULL DEFAULT '',
            PRIMARY KEY (name, alias)
          )"""),
      // 2 -> 3: progressive rollouts (issue 15): the last one of each function.
      List.of(
          """
          CREATE TABLE rollouts (
            name       TEXT    PRIMARY KEY,
            stable     INTEGER NOT NULL,
            canary     INTEGER NOT NULL,
            plan       TEXT    NOT NULL,
            status     TEXT    NOT NULL,
            step       INTEGER NOT NULL,
            step_since TEXT    NOT NULL,
            started_at TEXT    NOT NULL,
            ended_at   TEXT,
            reason     TEXT    NOT NULL DEFAULT ''
          )"""));

  static final int SCHEMA_VERSION = MIGRATIONS.size();

  /**
   * The same tables on PostgreSQL, from its first version (a cluster's database starts empty; it
   * does not go through SQLite's history). Append only, as above.
   */
  static final List<List<String>> POSTGRES_MIGRATIONS = List.of(
      List.of(
          """
          CREATE TABLE revisions (
            name        TEXT    NOT NULL,
            revision    BIGINT  NOT NULL,
            spec_json   TEXT    NOT NULL,
            code_sha256 TEXT    NOT NULL,
            code_size   BIGINT  NOT NULL,
            code_dir    TEXT    NOT NULL,
            deployed_at TEXT    NOT NULL,
            published   INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (name, revision)
          )""",
          """
          CREATE TABLE functions (
            name     TEXT   PRIMARY KEY,
            revision BIGINT NOT NULL,
            FOREIGN KEY (name, revision) REFERENCES revisions (name, revision)
          )""",
          "CREATE TABLE traffic (name TEXT PRIMARY KEY, targets TEXT NOT NULL)",
          """
          CREATE TABLE aliases (
            name                TEXT             NOT NULL,
            alias               TEXT             NOT NULL,
            revision            BIGINT,
            additional_revision BIGINT,
            additional_weight   DOUBLE PRECISION NOT NULL DEFAULT 0,
            description         TEXT             NOT NULL DEFAULT '',
            PRIMARY KEY (name, alias)
          )""",
          """
          CREATE TABLE rollouts (
            name       TEXT    PRIMARY KEY,
            stable     BIGINT  NOT NULL,
            canary     BIGINT  NOT NULL,
            plan       TEXT    NOT NULL,
            status     TEXT    NOT NULL,
            step       INTEGER NOT NULL,
            step_since TEXT    NOT NULL,
            started_at TEXT    NOT NULL,
            ended_at   TEXT,
            reason     TEXT    NOT NULL DEFAULT ''
          )"""),
      // the change feed daemons read to keep their in-memory view of the registry in step (issue 19)
      List.of("CREATE TABLE registry_changes (name TEXT PRIMARY KEY, changes BIGINT NOT NULL, changed_at BIGINT NOT NULL)",
          "CREATE INDEX registry_changes_at ON registry_changes (changed_at)"));

  /** The database's clock, in epoch milliseconds, as a change is stamped with it. */
  static final String DATABASE_NOW_MS = "(EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT";

  private static final String SELECT_DEPLOYMENT =
      "SELECT r.spec_json, r.revision, r.code_sha256, r.code_size, r.code_dir, r.deployed_at FROM revisions r ";

  private final Database db;
  /** Where this daemon keeps the code of a SHA-256, on a shared database; null: the directory stored with the revision. */
  private final Function<String, Path> codeDirOf;

  private SqlRegistry(Database db, Function<String, Path> codeDirOf) {
    this.db = db;
    this.codeDirOf = codeDirOf;
  }

  static SqlRegistry open(Path dbFile) {
    if (dbFile == null) {
      throw new IllegalArgumentException("dbFile: null (expected: a path such as ~/.pilotlight/registry.db)");
    }
    Path file = dbFile.toAbsolutePath();
    return new SqlRegistry(new GuardedConnection("registry", file, SqliteDatabase.open(file, MIGRATIONS, "registry")), null);
  }

  /**
   * The registry in a shared PostgreSQL database. Each daemon unpacks code into its own data
   * directory, so a revision's code directory is {@code codeDirOf} its SHA-256 on every daemon, not
   * the directory the deploying daemon stored.
   */
  static SqlRegistry open(PostgresDatabase pg, Function<String, Path> codeDirOf) {
    pg.migrate("registry", POSTGRES_MIGRATIONS);
    return new SqlRegistry(pg.forStore("registry"), codeDirOf);
  }

  @Override
  public Deployment save(FunctionSpec spec, String codeSha256, long codeSize, Path codeDir, Instant now) {
    checkSave(spec, codeSha256, codeSize, codeDir, now);
    return inTransaction("save " + spec.name(), c -> insertRevision(c, spec, codeSha256, codeSize, codeDir, now));
  }

  private static void checkSave(FunctionSpec spec, String codeSha256, long codeSize, Path codeDir, Instant now) {
    if (spec == null || codeDir == null || now == null) {
      throw new IllegalArgumentException("save: spec, codeDir and now are required");
    }
    if (!Sha256.isValid(codeSha256)) {
      throw new IllegalArgumentException("codeSha256: '" + codeSha256 + "' (expected: 64 lowercase hex digits)");
    }
    if (codeSize < 0) {
      throw new IllegalArgumentException("codeSize: " + codeSize + " (expected: >= 0)");
    }
  }

  @Override
  public Deployment saveRollingOut(FunctionSpec spec, String codeSha256, long codeSize, Path codeDir, Instant now,
      Function<Deployment, RolloutStart> start) {
    checkSave(spec, codeSha256, codeSize, codeDir, now);
    return inTransaction("save " + spec.name() + " rolling out", c -> {
      Deployment d = insertRevision(c, spec, codeSha256, codeSize, codeDir, now);
      RolloutStart s = start.apply(d);
      writeReleases(c, spec.name(), s.releases());
      writeRollout(c, s.rollout());
      return d;
    });
  }

  private Deployment insertRevision(Connection c, FunctionSpec spec, String codeSha256, long codeSize, Path codeDir, Instant now)
      throws SQLException {
    // two daemons deploying one function at once get consecutive revisions, not the same one
    db.lock(c, "registry:" + spec.name());
    long revision;
    try (PreparedStatement ps = c.prepareStatement("SELECT COALESCE(MAX(revision), 0) + 1 FROM revisions WHERE name = ?")) {
      ps.setString(1, spec.name());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        revision = rs.getLong(1);
      }
    }
    var deployment = new Deployment(spec, revision, codeSha256, codeSize, codeDir.toAbsolutePath(), now);
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO revisions "
        + "(name, revision, spec_json, code_sha256, code_size, code_dir, deployed_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
      ps.setString(1, spec.name());
      ps.setLong(2, revision);
      ps.setString(3, SpecJson.write(spec));
      ps.setString(4, codeSha256);
      ps.setLong(5, codeSize);
      ps.setString(6, deployment.codeDir().toString());
      ps.setString(7, now.toString());
      ps.executeUpdate();
    }
    try (PreparedStatement ps = c.prepareStatement(
        "INSERT INTO functions (name, revision) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET revision = excluded.revision")) {
      ps.setString(1, spec.name());
      ps.setLong(2, revision);
      ps.executeUpdate();
    }
    noteChange(c, spec.name());
    return deployment;
  }

  @Override
  public Optional<Deployment> find(String name) {
    return withConnection("find " + name, c -> {
      try (PreparedStatement ps = c.prepareStatement(
          SELECT_DEPLOYMENT + "JOIN functions f ON f.name = r.name AND f.revision = r.revision WHERE f.name = ?")) {
        ps.setString(1, name);
        return readAll(ps).stream().findFirst();
      }
    });
  }

  @Override
  public Optional<Deployment> find(String name, long revision) {
    return withConnection("find " + name + " revision " + revision, c -> {
      try (PreparedStatement ps = c.prepareStatement(SELECT_DEPLOYMENT + "WHERE r.name = ? AND r.revision = ?")) {
        ps.setString(1, name);
        ps.setLong(2, revision);
        return readAll(ps).stream().findFirst();
      }
    });
  }

  @Override
  public List<Deployment> list() {
    return withConnection("list", c -> {
      try (PreparedStatement ps = c.prepareStatement(
          SELECT_DEPLOYMENT + "JOIN functions f ON f.name = r.name AND f.revision = r.revision ORDER BY r.name")) {
        return readAll(ps);
      }
    });
  }

  @Override
  public boolean delete(String name) {
    return inTransaction("delete " + name, c -> {
      int removed;
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM functions WHERE name = ?")) {
        ps.setString(1, name);
        removed = ps.executeUpdate();
      }
      for (String table : List.of("revisions", "traffic", "aliases", "rollouts")) {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table + " WHERE name = ?")) {
          ps.setString(1, name);
          ps.executeUpdate();
        }
      }
      noteChange(c, name);
      return removed > 0;
    });
  }

  /**
   * On a shared database, stamps a change of {@code name} in the feed other daemons read
   * ({@code registry_changes}), inside the change's own transaction; nothing on SQLite.
   */
  private void noteChange(Connection c, String name) throws SQLException {
    if (!db.shared()) {
      return;
    }
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO registry_changes (name, changes, changed_at) VALUES (?, 1, "
        + DATABASE_NOW_MS + ") ON CONFLICT (name) DO UPDATE SET changes = registry_changes.changes + 1, changed_at = excluded.changed_at")) {
      ps.setString(1, name);
      ps.executeUpdate();
    }
  }

  @Override
  public List<Deployment> revisions(String name) {
    return withConnection("revisions of " + name, c -> {
      try (PreparedStatement ps = c.prepareStatement(SELECT_DEPLOYMENT + "WHERE r.name = ? ORDER BY r.revision")) {
        ps.setString(1, name);
        return readAll(ps);
      }
    });
  }

  @Override
  public boolean publish(String name, long revision) {
    return inTransaction("publish " + name + " revision " + revision, c -> {
      try (PreparedStatement ps = c.prepareStatement("UPDATE revisions SET published = 1 WHERE name = ? AND revision = ?")) {
        ps.setString(1, name);
        ps.setLong(2, revision);
        noteChange(c, name);
        return ps.executeUpdate() > 0;
      }
    });
  }

  @Override
  public Set<Long> published(String name) {
    return withConnection("published revisions of " + name, c -> {
      Set<Long> out = new TreeSet<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT revision FROM revisions WHERE name = ? AND published = 1")) {
        ps.setString(1, name);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(rs.getLong(1));
          }
        }
      }
      return Set.copyOf(out);
    });
  }

  @Override
  public Deployment amend(Deployment d, FunctionSpec spec) {
    if (!spec.name().equals(d.name())) {
      throw new IllegalArgumentException("amend of '" + d.name() + "' renamed it to '" + spec.name() + "'");
    }
    return inTransaction("amend " + d.name() + " revision " + d.revision(), c -> {
      try (PreparedStatement ps = c.prepareStatement("UPDATE revisions SET spec_json = ? WHERE name = ? AND revision = ?")) {
        ps.setString(1, SpecJson.write(spec));
        ps.setString(2, d.name());
        ps.setLong(3, d.revision());
        if (ps.executeUpdate() == 0) {
          throw new dev.pilotlight.model.Failure.FunctionNotFound(d.name() + ":" + d.revision());
        }
      }
      noteChange(c, d.name());
      return new Deployment(spec, d.revision(), d.codeSha256(), d.codeSize(), d.codeDir(), d.deployedAt());
    });
  }

  @Override
  public boolean deleteRevision(String name, long revision) {
    return inTransaction("delete " + name + " revision " + revision, c -> {
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM revisions WHERE name = ? AND revision = ? "
          + "AND revision NOT IN (SELECT revision FROM functions WHERE name = ?)")) {
        ps.setString(1, name);
        ps.setLong(2, revision);
        ps.setString(3, name);
        noteChange(c, name);
        return ps.executeUpdate() > 0;
      }
    });
  }

  @Override
  public Releases releases(String name) {
    return withConnection("releases of " + name, c -> {
      Traffic traffic = Traffic.LATEST;
      try (PreparedStatement ps = c.prepareStatement("SELECT targets FROM traffic WHERE name = ?")) {
        ps.setString(1, name);
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            traffic = Traffic.parse(rs.getString(1));
          }
        }
      }
      List<Alias> aliases = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT alias, revision, additional_revision, additional_weight, description "
          + "FROM aliases WHERE name = ? ORDER BY alias")) {
        ps.setString(1, name);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            long rev = rs.getLong(2);
            Long revision = rs.wasNull() ? null : rev;
            long extra = rs.getLong(3);
            Long additional = rs.wasNull() ? null : extra;
            aliases.add(new Alias(rs.getString(1), revision, additional, rs.getDouble(4), rs.getString(5)));
          }
        }
      }
      return new Releases(traffic, aliases);
    });
  }

  @Override
  public void saveRollout(Rollout r) {
    inTransaction("save the rollout of " + r.function(), c -> {
      writeRollout(c, r);
      noteChange(c, r.function());
      return null;
    });
  }

  private static void writeRollout(Connection c, Rollout r) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO rollouts "
        + "(name, stable, canary, plan, status, step, step_since, started_at, ended_at, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        + "ON CONFLICT (name) DO UPDATE SET stable = excluded.stable, canary = excluded.canary, plan = excluded.plan, "
        + "status = excluded.status, step = excluded.step, step_since = excluded.step_since, started_at = excluded.started_at, "
        + "ended_at = excluded.ended_at, reason = excluded.reason")) {
      ps.setString(1, r.function());
      ps.setLong(2, r.stable());
      ps.setLong(3, r.canary());
      ps.setString(4, r.plan().toString());
      ps.setString(5, r.status().name());
      ps.setInt(6, r.step());
      ps.setString(7, r.stepSince().toString());
      ps.setString(8, r.startedAt().toString());
      ps.setString(9, r.endedAt() == null ? null : r.endedAt().toString());
      ps.setString(10, r.reason());
      ps.executeUpdate();
    }
  }

  @Override
  public List<Rollout> rollouts() {
    return withConnection("rollouts", c -> {
      List<Rollout> out = new ArrayList<>();
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT name, stable, canary, plan, status, step, step_since, started_at, ended_at, reason "
              + "FROM rollouts ORDER BY name")) {
        while (rs.next()) {
          String ended = rs.getString(9);
          out.add(new Rollout(rs.getString(1), rs.getLong(2), rs.getLong(3), RolloutPlan.parse(rs.getString(4)),
              Rollout.Status.valueOf(rs.getString(5)), rs.getInt(6), Instant.parse(rs.getString(7)), Instant.parse(rs.getString(8)),
              ended == null ? null : Instant.parse(ended), rs.getString(10)));
        }
      }
      return out;
    });
  }

  @Override
  public java.util.Map<String, Releases> allReleases() {
    List<String> names = withConnection("functions with releases", c -> {
      List<String> out = new ArrayList<>();
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT name FROM traffic UNION SELECT name FROM aliases ORDER BY 1")) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
      return out;
    });
    java.util.Map<String, Releases> all = new java.util.TreeMap<>();
    for (String name : names) {
      all.put(name, releases(name));
    }
    return all;
  }

  @Override
  public void saveReleases(String name, Releases releases) {
    inTransaction("save releases of " + name, c -> {
      writeReleases(c, name, releases);
      noteChange(c, name);
      return null;
    });
  }

  private static void writeReleases(Connection c, String name, Releases releases) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("DELETE FROM traffic WHERE name = ?")) {
      ps.setString(1, name);
      ps.executeUpdate();
    }
    if (!releases.traffic().followsLatestOnly()) {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO traffic (name, targets) VALUES (?, ?)")) {
        ps.setString(1, name);
        ps.setString(2, releases.traffic().toString());
        ps.executeUpdate();
      }
    }
    try (PreparedStatement ps = c.prepareStatement("DELETE FROM aliases WHERE name = ?")) {
      ps.setString(1, name);
      ps.executeUpdate();
    }
    for (Alias a : releases.aliases()) {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO aliases "
          + "(name, alias, revision, additional_revision, additional_weight, description) VALUES (?, ?, ?, ?, ?, ?)")) {
        ps.setString(1, name);
        ps.setString(2, a.name());
        ps.setObject(3, a.revision());
        ps.setObject(4, a.additionalRevision());
        ps.setDouble(5, a.additionalWeight());
        ps.setString(6, a.description());
        ps.executeUpdate();
      }
    }
  }

  @Override
  public int pruneRevisions(String name, int keep) {
    if (keep < 1) {
      throw new IllegalArgumentException("keep: " + keep + " (expected: >= 1, the live revision)");
    }
    return inTransaction("prune revisions of " + name, c -> {
      // Published versions and those the traffic split or an alias names stay until deleted by name.
      Set<Long> named = new TreeSet<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT targets FROM traffic WHERE name = ?")) {
        ps.setString(1, name);
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            named.addAll(Traffic.parse(rs.getString(1)).revisions());
          }
        }
      }
      try (PreparedStatement ps = c.prepareStatement("SELECT revision, additional_revision FROM aliases WHERE name = ?")) {
        ps.setString(1, name);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            for (int col = 1; col <= 2; col++) {
              long r = rs.getLong(col);
              if (!rs.wasNull()) {
                named.add(r);
              }
            }
          }
        }
      }
      StringBuilder keepNamed = new StringBuilder();
      for (long r : named) {
        keepNamed.append(keepNamed.isEmpty() ? "" : ", ").append(r);
      }
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM revisions WHERE name = ? AND published = 0 AND revision NOT IN "
          + "(SELECT revision FROM revisions WHERE name = ? ORDER BY revision DESC LIMIT ?) "
          + "AND revision NOT IN (SELECT revision FROM functions WHERE name = ?)"
          + (named.isEmpty() ? "" : " AND revision NOT IN (" + keepNamed + ")"))) {
        ps.setString(1, name);
        ps.setString(2, name);
        ps.setInt(3, keep);
        ps.setString(4, name);
        noteChange(c, name);
        return ps.executeUpdate();
      }
    });
  }

  @Override
  public Set<String> referencedCode() {
    return withConnection("referencedCode", c -> {
      Set<String> shas = new TreeSet<>();
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT DISTINCT code_sha256 FROM revisions")) {
        while (rs.next()) {
          shas.add(rs.getString(1));
        }
      }
      return Set.copyOf(shas);
    });
  }

  @Override
  public void close() {
    db.close();
  }


  /** For tests: runs a query on the registry's own connection and returns the first column of the first row. */
  String pragma(String name) {
    return withConnection("pragma " + name, c -> {
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA " + name)) {
        return rs.next() ? rs.getString(1) : null;
      }
    });
  }

  private List<Deployment> readAll(PreparedStatement ps) throws SQLException {
    List<Deployment> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        FunctionSpec spec;
        try {
          spec = SpecJson.read(rs.getString(1));
        } catch (RuntimeException e) {
          throw new SQLException("stored spec of revision " + rs.getLong(2) + " cannot be read: " + e.getMessage(), e);
        }
        out.add(new Deployment(spec, rs.getLong(2), rs.getString(3), rs.getLong(4),
            codeDirOf != null ? codeDirOf.apply(rs.getString(3)) : Path.of(rs.getString(5)), Instant.parse(rs.getString(6))));
      }
    }
    return out;
  }

  private <T> T withConnection(String what, Database.Work<T> work) {
    return db.withConnection(what, work);
  }

  private <T> T inTransaction(String what, Database.Work<T> work) {
    return db.inTransaction(what, work);
  }
}
