using Microsoft.Data.Sqlite;

namespace PanicDevice.Receiver.Storage;

/// <summary>
/// The receiver's SQLite file: WAL with synchronous FULL, so a committed frame survives power loss
/// before the device is acknowledged. Every connection is short-lived; the schema is created on open.
/// </summary>
public sealed class ReceiverDatabase
{
    private readonly string connectionString;

    public ReceiverDatabase(string path)
    {
        connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true, DefaultTimeout = 30 }.ToString();
        using var c = Open();
        Execute(c, "PRAGMA journal_mode=WAL;");
        Execute(c, Schema);
    }

    public SqliteConnection Open()
    {
        var c = new SqliteConnection(connectionString);
        c.Open();
        Execute(c, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000;");
        return c;
    }

    public static void Execute(SqliteConnection c, string sql, SqliteTransaction? tx = null)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS devices (
            id TEXT PRIMARY KEY,
            key BLOB NOT NULL,
            kind INTEGER NOT NULL,
            owner_name TEXT NOT NULL DEFAULT '',
            owner_phone TEXT NOT NULL DEFAULT '',
            verified INTEGER NOT NULL DEFAULT 0,
            enabled INTEGER NOT NULL DEFAULT 1,
            guardians TEXT NOT NULL DEFAULT '',
            address TEXT NOT NULL DEFAULT '',
            lat_e7 INTEGER, lon_e7 INTEGER,
            heartbeat_interval_s INTEGER NOT NULL DEFAULT 3600,
            replay_window BLOB,
            last_seen_utc TEXT, battery INTEGER, signal_dbm INTEGER,
            provisioned_utc TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
        );
        CREATE TABLE IF NOT EXISTS supervision (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            device_id TEXT NOT NULL,
            event TEXT NOT NULL,
            detail TEXT NOT NULL,
            raised_utc TEXT NOT NULL,
            cleared_utc TEXT
        );
        CREATE TABLE IF NOT EXISTS frames (
            device_id TEXT NOT NULL REFERENCES devices(id),
            counter INTEGER NOT NULL,
            kind INTEGER NOT NULL,
            code INTEGER NOT NULL,
            device_time_utc INTEGER NOT NULL,
            lat_e7 INTEGER NOT NULL, lon_e7 INTEGER NOT NULL,
            accuracy_m INTEGER NOT NULL, fix_age_s INTEGER NOT NULL, source INTEGER NOT NULL,
            battery INTEGER NOT NULL, signal_dbm INTEGER NOT NULL, flags INTEGER NOT NULL,
            raw BLOB NOT NULL,
            path TEXT NOT NULL,
            received_utc TEXT NOT NULL,
            PRIMARY KEY (device_id, counter)
        );
        CREATE TABLE IF NOT EXISTS alerts (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            device_id TEXT NOT NULL,
            counter INTEGER NOT NULL,
            code INTEGER NOT NULL,
            state TEXT NOT NULL,
            duress INTEGER NOT NULL DEFAULT 0,
            lat_e7 INTEGER NOT NULL, lon_e7 INTEGER NOT NULL, accuracy_m INTEGER NOT NULL, source INTEGER NOT NULL,
            responder TEXT,
            opened_utc TEXT NOT NULL,
            updated_utc TEXT NOT NULL,
            UNIQUE (device_id, counter)
        );
        CREATE TABLE IF NOT EXISTS timeline (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            alert_id INTEGER NOT NULL REFERENCES alerts(id),
            at_utc TEXT NOT NULL,
            event TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT ''
        );
        CREATE TABLE IF NOT EXISTS webhook_deliveries (
            queue_id INTEGER NOT NULL REFERENCES dispatch_queue(id),
            target TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_utc TEXT,
            delivered_utc TEXT,
            last_error TEXT,
            PRIMARY KEY (queue_id, target)
        );
        CREATE TABLE IF NOT EXISTS dispatch_queue (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            device_id TEXT NOT NULL,
            counter INTEGER NOT NULL,
            event TEXT NOT NULL,
            created_utc TEXT NOT NULL,
            done_utc TEXT,
            UNIQUE (device_id, counter, event)
        );
        """;
}
