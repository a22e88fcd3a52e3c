using System.Data.Common;
using Npgsql;

namespace PanicDevice.Receiver.Storage;

/// <summary>
/// A PostgreSQL database shared by one or more receivers. Durability: with the server's default
/// synchronous_commit=on a COMMIT returns after its WAL is flushed, the equivalent of SQLite's
/// synchronous FULL, so "acknowledged" still means "on disk". Several receivers write at once, so a
/// transaction that read-modify-writes a row locks it (FOR UPDATE), and deadlocks or serialization
/// failures (40P01, 40001) are reported transient for the caller to run the transaction again.
/// </summary>
internal sealed class PostgresDialect : StoreDialect, IDisposable
{
    // Arbitrary application keys for advisory locks (pg_advisory_xact_lock takes one bigint).
    private const long SchemaLockKey = 0x5044_5343_4845_4D41; // "PDSCHEMA"
    private const long QueueLockKey = 0x5044_5155_4555_4545;  // "PDQUEUEE"

    private readonly NpgsqlDataSource source;

    public PostgresDialect(string connectionString, string description)
    {
        source = NpgsqlDataSource.Create(connectionString);
        Description = description;
    }

    public override string Description { get; }

    public override DbConnection Open() => source.OpenConnection();

    public override string AutoId => "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY";
    public override string Bytes => "BYTEA";
    public override string NowText => "(to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'))";
    public override string LockRow => " FOR UPDATE";
    public override bool StoresInBulk => true;
    public override bool NotifiesChanges => true;

    /// <summary>NOTIFY channel of alert rows inserted or updated (payload: the alert's id), whichever receiver wrote them.</summary>
    public const string AlertChannel = "pd_alert_changed";

    /// <summary>NOTIFY channel of counter-event rows inserted or updated (payload: the event's id).</summary>
    public const string CounterEventChannel = "pd_counter_event";

    // Triggers, not a NOTIFY beside each write: every path that changes an alert (a frame one by one or set-based, an
    // operator's action, on any receiver) is covered without knowing it, and PostgreSQL sends a notice only at commit.
    private const string ChangeNotices = $$"""
        CREATE OR REPLACE FUNCTION pd_notify_change() RETURNS trigger LANGUAGE plpgsql AS $f$
        BEGIN
          PERFORM pg_notify(TG_ARGV[0], NEW.id::text);
          RETURN NULL;
        END $f$;
        CREATE OR REPLACE FUNCTION pd_notify_timeline() RETURNS trigger LANGUAGE plpgsql AS $f$
        BEGIN
          PERFORM pg_notify('{{AlertChannel}}', NEW.alert_id::text);
          RETURN NULL;
        END $f$;
        DO $d$ BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = '{{AlertChannel}}') THEN
            CREATE TRIGGER {{AlertChannel}} AFTER INSERT OR UPDATE ON alerts FOR EACH ROW EXECUTE FUNCTION pd_notify_change('{{AlertChannel}}');
          END IF;
          -- A timeline entry alone (sent to an ARC, forwarded) changes what operators see of the alert: PostgreSQL
          -- sends one notice per alert and transaction, however many rows name it.
          IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'pd_timeline_added') THEN
            CREATE TRIGGER pd_timeline_added AFTER INSERT ON timeline FOR EACH ROW EXECUTE FUNCTION pd_notify_timeline();
          END IF;
          IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = '{{CounterEventChannel}}') THEN
            CREATE TRIGGER {{CounterEventChannel}} AFTER INSERT OR UPDATE ON counter_events FOR EACH ROW EXECUTE FUNCTION pd_notify_change('{{CounterEventChannel}}');
          END IF;
        END $d$;
        """;
    public override string? LockDevicesInOrder => "SELECT id FROM devices WHERE id = ANY(@ids) ORDER BY id FOR UPDATE";

    // An identity value is taken at INSERT but becomes visible at COMMIT, so with several writers id 10
    // can commit after id 11. The webhook dispatcher keeps a cursor "everything up to id N is delivered";
    // a late id 10 would fall behind it and never be sent. Holding this lock from the first queue insert
    // to the commit makes ids commit in order (writers take turns for the tail of their transaction).
    public override string? QueueInsertLock => "SELECT pg_advisory_xact_lock(" + QueueLockKey + ")";

    public override void CreateSchema(string schema, IReadOnlyList<AddedColumn> added)
    {
        // CREATE ... IF NOT EXISTS is not safe against itself: two receivers starting together can both
        // decide to create a table. One at a time, under a transaction-scoped advisory lock.
        using var c = Open();
        using var tx = c.BeginTransaction();
        ReceiverDatabase.Execute(c, "SELECT pg_advisory_xact_lock(" + SchemaLockKey + ")", tx);
        ReceiverDatabase.Execute(c, schema, tx);
        foreach (AddedColumn column in added)
        {
            ReceiverDatabase.Execute(c, "ALTER TABLE " + column.Table + " ADD COLUMN IF NOT EXISTS " + column.Name + " " + column.Definition, tx);
        }
        ReceiverDatabase.Execute(c, ChangeNotices, tx);
        tx.Commit();
    }

    public override bool IsTransient(Exception e) =>
        e is PostgresException { SqlState: PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure };

    public void Dispose() => source.Dispose();
}
