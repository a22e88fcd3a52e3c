using System.Data.Common;

namespace PanicDevice.Receiver.Storage;

/// <summary>
/// What differs between the engines the receiver can store in, and nothing else: how a connection is
/// opened, the few words of DDL that are spelled differently, how a writer locks a device row, and
/// which failures are worth running a transaction again. Every query is written once, in the SQL both
/// engines accept (@name parameters, ON CONFLICT, RETURNING), by the classes that use it.
/// </summary>
internal abstract class StoreDialect
{
    /// <summary>Where the data is, for startup lines and errors: never a password.</summary>
    public abstract string Description { get; }

    /// <summary>An open connection; the caller disposes it (pooled by both engines).</summary>
    public abstract DbConnection Open();

    /// <summary>Column type of an auto-numbered primary key.</summary>
    public abstract string AutoId { get; }

    /// <summary>Column type of a byte string.</summary>
    public abstract string Bytes { get; }

    /// <summary>Expression for "now" as the ISO-8601 UTC text every timestamp column holds.</summary>
    public abstract string NowText { get; }

    /// <summary>
    /// Appended to a SELECT that reads a row the transaction will write back (the device's replay window,
    /// an alert's state): empty where the engine has one writer at a time, FOR UPDATE where it has many.
    /// </summary>
    public abstract string LockRow { get; }

    /// <summary>
    /// Locks the rows of devices @ids (an array) in one fixed order, or null where rows need no lock. A
    /// group commit takes all its devices up front this way, so two receivers' batches that share devices
    /// queue behind each other instead of deadlocking.
    /// </summary>
    public abstract string? LockDevicesInOrder { get; }

    /// <summary>
    /// True where a group commit stores its common frames with one statement per table (<see cref="FrameBulkWriter"/>:
    /// PostgreSQL, whose every statement is a round trip); SQLite runs in-process, where per-frame statements cost little.
    /// </summary>
    public virtual bool StoresInBulk => false;

    /// <summary>
    /// True where the store itself tells every receiver of each committed change to an alert or counter event
    /// (PostgreSQL: NOTIFY from triggers, read by <see cref="Dashboard.SharedStoreFeed"/>), so dashboards hear of alerts
    /// that another receiver stored. Where false (SQLite) a receiver publishes its own changes.
    /// </summary>
    public virtual bool NotifiesChanges => false;

    /// <summary>
    /// Runs before a transaction adds to dispatch_queue, or null. Webhook delivery walks the queue by id
    /// and must never find a lower id committed after it has passed a higher one; see PostgresDialect.
    /// </summary>
    public abstract string? QueueInsertLock { get; }

    /// <summary>
    /// Creates the schema (idempotent), then adds each of <paramref name="added"/> to its table where the
    /// table lacks it (a store made by an older receiver); safe when several receivers start at once.
    /// </summary>
    public abstract void CreateSchema(string schema, IReadOnlyList<AddedColumn> added);

    /// <summary>True for a failure that says "run the transaction again" (deadlock, serialization).</summary>
    public abstract bool IsTransient(Exception e);
}

/// <summary>A column added to an existing table after its first release: its name and its SQL definition (type, NOT NULL, DEFAULT).</summary>
internal sealed record AddedColumn(string Table, string Name, string Definition);
