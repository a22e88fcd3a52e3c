using System.Data.Common;

namespace PanicDevice.Receiver.Storage;

/// <summary>
/// The receiver's store: a SQLite file (the default) or a PostgreSQL database several receivers share.
/// Every connection is short-lived; the schema is created on open. Queries are written once for both
/// engines; <see cref="Dialect"/> holds the little that differs.
/// </summary>
internal sealed class ReceiverDatabase : IDisposable
{
    /// <summary>Times a transaction is run again after a deadlock or serialization failure before its caller sees the error.</summary>
    public const int TransientRetries = 5;

    public ReceiverDatabase(string path) : this(new SqliteDialect(path))
    {
    }

    public ReceiverDatabase(StoreDialect dialect)
    {
        Dialect = dialect;
        try
        {
            dialect.CreateSchema(Schema(dialect), AddedColumns);
        }
        catch
        {
            (dialect as IDisposable)?.Dispose();
            throw;
        }
    }

    /// <summary>Opens the store <paramref name="target"/> names (see <see cref="StoreLocation"/>).</summary>
    public static ReceiverDatabase Connect(StoreTarget target)
    {
        if (target.PostgresConnectionString is { } pg)
        {
            return new ReceiverDatabase(new PostgresDialect(pg, target.Description));
        }
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(target.Path!))!);
        if (!OperatingSystem.IsWindows() && !File.Exists(target.Path!))
        {
            // An empty file is an empty SQLite database; made owner-only here, SQLite gives its WAL and shared-memory files
            // the same mode, so no moment exists when the store is readable by others.
            using var _ = new FileStream(target.Path!, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite });
        }
        return new ReceiverDatabase(target.Path!);
    }

    public StoreDialect Dialect { get; }

    public DbConnection Open() => Dialect.Open();

    /// <summary>Closes the engine's connection pool where it has one of its own (PostgreSQL).</summary>
    public void Dispose() => (Dialect as IDisposable)?.Dispose();

    /// <summary>
    /// Runs <paramref name="work"/> in a transaction on a fresh connection, again (up to
    /// <see cref="TransientRetries"/> times) when the engine reports a deadlock or serialization failure;
    /// <paramref name="work"/> commits (or not) itself, and must be safe to run again from the start.
    /// </summary>
    public T InTransaction<T>(Func<DbConnection, DbTransaction, T> work)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                using var c = Open();
                using var tx = c.BeginTransaction();
                return work(c, tx);
            }
            catch (Exception e) when (attempt < TransientRetries && Dialect.IsTransient(e))
            {
                Thread.Sleep(Random.Shared.Next(1, 20 << attempt)); // let the other writer finish
            }
        }
    }

    public static void Execute(DbConnection c, string sql, DbTransaction? tx = null)
    {
        using var cmd = Command(c, tx, sql);
        cmd.ExecuteNonQuery();
    }

    /// <summary>A command on <paramref name="c"/> in <paramref name="tx"/>; the caller disposes it.</summary>
    public static DbCommand Command(DbConnection c, DbTransaction? tx, string sql)
    {
        var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        return cmd;
    }

    // Columns added after their table's first release. A new store gets them the same way an old one does
    // (ALTER TABLE on open), so the upgrade path is the one every test runs.
    private static readonly AddedColumn[] AddedColumns =
    {
        new("devices", "language", "TEXT NOT NULL DEFAULT 'en'"), // "en" or "id": the language of the device's texts and of its CAP messages
        new("alerts", "escalated_utc", "TEXT"), // when nobody had acknowledged the alert within Receiver:EscalateAfterSeconds
        new("devices", "notes", "TEXT NOT NULL DEFAULT ''"), // operators' notes on the person or site: medical, site access (operators only)
        new("timeline", "by_name", "TEXT"), // the operator of an action, for the supervisors' quality report
        new("alerts", "last_counter", "BIGINT"), // the counter of the incident's latest press, which the device waits on (null: its first)
        new("alerts", "guardian_link_revoked_utc", "TEXT"), // an operator withdrew the guardians' live page of this alert
    };

    // Column types chosen to read back the same on both engines: INTEGER is 32-bit in PostgreSQL, so
    // counters and ids are BIGINT (the same INTEGER affinity in SQLite). Timestamps are ISO-8601 UTC text.
    private static string Schema(StoreDialect d) => $"""
        CREATE TABLE IF NOT EXISTS devices (
            id TEXT PRIMARY KEY,
            key {d.Bytes} NOT NULL,
            kind INTEGER NOT NULL,
            owner_name TEXT NOT NULL DEFAULT '',
            owner_phone TEXT NOT NULL DEFAULT '',
            verified INTEGER NOT NULL DEFAULT 0,
            enabled INTEGER NOT NULL DEFAULT 1,
            guardians TEXT NOT NULL DEFAULT '',
            address TEXT NOT NULL DEFAULT '',
            lat_e7 INTEGER, lon_e7 INTEGER,
            heartbeat_interval_s INTEGER NOT NULL DEFAULT 3600,
            replay_window {d.Bytes},
            last_seen_utc TEXT, battery INTEGER, signal_dbm INTEGER,
            provisioned_utc TEXT NOT NULL DEFAULT {d.NowText}
        );
        CREATE TABLE IF NOT EXISTS supervision (
            id {d.AutoId},
            device_id TEXT NOT NULL,
            event TEXT NOT NULL,
            detail TEXT NOT NULL,
            raised_utc TEXT NOT NULL,
            cleared_utc TEXT
        );
        CREATE UNIQUE INDEX IF NOT EXISTS supervision_one_open ON supervision (device_id, event) WHERE cleared_utc IS NULL;
        CREATE TABLE IF NOT EXISTS frames (
            device_id TEXT NOT NULL REFERENCES devices(id),
            counter BIGINT NOT NULL,
            kind INTEGER NOT NULL,
            code INTEGER NOT NULL,
            device_time_utc BIGINT NOT NULL,
            lat_e7 INTEGER NOT NULL, lon_e7 INTEGER NOT NULL,
            accuracy_m INTEGER NOT NULL, fix_age_s INTEGER NOT NULL, source INTEGER NOT NULL,
            battery INTEGER NOT NULL, signal_dbm INTEGER NOT NULL, flags INTEGER NOT NULL,
            raw {d.Bytes} NOT NULL,
            path TEXT NOT NULL,
            received_utc TEXT NOT NULL,
            PRIMARY KEY (device_id, counter)
        );
        CREATE TABLE IF NOT EXISTS counter_events (
            id {d.AutoId},
            device_id TEXT NOT NULL,
            counter BIGINT NOT NULL,
            reason TEXT NOT NULL,
            kind INTEGER NOT NULL,
            code INTEGER NOT NULL,
            device_time_utc BIGINT NOT NULL,
            lat_e7 INTEGER NOT NULL, lon_e7 INTEGER NOT NULL,
            accuracy_m INTEGER NOT NULL, fix_age_s INTEGER NOT NULL, source INTEGER NOT NULL,
            battery INTEGER NOT NULL, signal_dbm INTEGER NOT NULL, flags INTEGER NOT NULL,
            raw {d.Bytes} NOT NULL,
            path TEXT NOT NULL,
            next_counter BIGINT NOT NULL,
            received_utc TEXT NOT NULL,
            resent_counter BIGINT, resent_utc TEXT,
            acknowledged_utc TEXT, acknowledged_by TEXT,
            UNIQUE (device_id, raw)
        );
        CREATE INDEX IF NOT EXISTS counter_events_unresolved ON counter_events (device_id) WHERE resent_counter IS NULL;
        CREATE TABLE IF NOT EXISTS store_keys (
            name TEXT PRIMARY KEY,
            check_value {d.Bytes} NOT NULL
        );
        CREATE TABLE IF NOT EXISTS device_events (
            id {d.AutoId},
            device_id TEXT NOT NULL,
            event TEXT NOT NULL,
            by_name TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT '',
            at_utc TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS alerts (
            id {d.AutoId},
            device_id TEXT NOT NULL,
            counter BIGINT NOT NULL,
            code INTEGER NOT NULL,
            state TEXT NOT NULL,
            duress INTEGER NOT NULL DEFAULT 0,
            lat_e7 INTEGER NOT NULL, lon_e7 INTEGER NOT NULL, accuracy_m INTEGER NOT NULL, source INTEGER NOT NULL,
            responder TEXT,
            opened_utc TEXT NOT NULL,
            updated_utc TEXT NOT NULL,
            UNIQUE (device_id, counter)
        );
        CREATE INDEX IF NOT EXISTS alerts_open ON alerts (id) WHERE state IN ('new','acknowledged','assigned'); -- a dashboard's reload lists every open alert
        CREATE INDEX IF NOT EXISTS alerts_device ON alerts (device_id, id); -- dispatch asks, per event, for the device's latest alert before it
        CREATE TABLE IF NOT EXISTS timeline (
            id {d.AutoId},
            alert_id BIGINT NOT NULL REFERENCES alerts(id),
            at_utc TEXT NOT NULL,
            event TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX IF NOT EXISTS timeline_alert ON timeline (alert_id); -- an alert's timeline is read with it, every time
        CREATE TABLE IF NOT EXISTS cap_messages (
            alert_id BIGINT NOT NULL REFERENCES alerts(id),
            seq INTEGER NOT NULL,
            event TEXT NOT NULL,
            sent_utc TEXT NOT NULL,
            duress INTEGER NOT NULL,
            lat_e7 INTEGER NOT NULL, lon_e7 INTEGER NOT NULL, accuracy_m INTEGER NOT NULL, source INTEGER NOT NULL,
            responder TEXT,
            owner_name TEXT NOT NULL, device_kind INTEGER NOT NULL, address TEXT NOT NULL, language TEXT NOT NULL,
            PRIMARY KEY (alert_id, seq)
        );
        CREATE TABLE IF NOT EXISTS dispatch_queue (
            id {d.AutoId},
            device_id TEXT NOT NULL,
            counter BIGINT NOT NULL,
            event TEXT NOT NULL,
            created_utc TEXT NOT NULL,
            done_utc TEXT,
            UNIQUE (device_id, counter, event)
        );
        CREATE TABLE IF NOT EXISTS webhook_deliveries (
            queue_id BIGINT NOT NULL REFERENCES dispatch_queue(id),
            target TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_utc TEXT,
            delivered_utc TEXT,
            last_error TEXT,
            PRIMARY KEY (queue_id, target)
        );
        CREATE TABLE IF NOT EXISTS webhook_leases (
            target TEXT PRIMARY KEY,
            holder TEXT NOT NULL,
            expires_utc TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS accounts (
            name TEXT PRIMARY KEY,
            role TEXT NOT NULL,
            password_hash TEXT NOT NULL,
            disabled INTEGER NOT NULL DEFAULT 0,
            created_utc TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS sessions (
            token_hash TEXT PRIMARY KEY,
            account TEXT NOT NULL,
            expires_utc TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS responders (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            lat DOUBLE PRECISION NOT NULL, lon DOUBLE PRECISION NOT NULL,
            available INTEGER NOT NULL,
            updated_unix BIGINT NOT NULL
        );
        """;
}

/// <summary>
/// Sets a named parameter on any ADO.NET command (both engines take @name; null becomes NULL). A command run again
/// (<see cref="StatementCache"/>) keeps its parameter objects and gets new values: an Npgsql statement prepared on its
/// first run stays bound to those objects, and replacing them made a batch's second frame run with the first's values.
/// </summary>
internal static class CommandParameters
{
    public static DbCommand With(this DbCommand cmd, string name, object? value)
    {
        if (cmd.Parameters.Contains(name))
        {
            cmd.Parameters[name].Value = value ?? DBNull.Value;
            return cmd;
        }
        DbParameter p = cmd.CreateParameter();
        p.ParameterName = name;
        p.Value = value ?? DBNull.Value;
        cmd.Parameters.Add(p);
        return cmd;
    }
}

/// <summary>The store could not be opened at startup; the message names where (never a password) and why, in one line.</summary>
internal sealed class StoreUnavailableException(string store, Exception cause)
    : Exception("cannot open the store (" + store + "): " + OneLine(cause.Message), cause)
{
    private static string OneLine(string s) => s.ReplaceLineEndings(" ").Trim();
}
