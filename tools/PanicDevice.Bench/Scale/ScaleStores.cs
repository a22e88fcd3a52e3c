using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Npgsql;
using PanicDevice.Core.Protocol;
using PanicDevice.Receiver.Storage;

namespace PanicDevice.Bench.Scale;

/// <summary>One stored alert row: the store it is in (0-based) and its (device, counter).</summary>
public readonly record struct StoredAlert(int Store, string Device, long Counter);

/// <summary>One store's dispatch bookkeeping for the bench devices.</summary>
public readonly record struct QueueTally(long QueueRows, long QueueDuplicates, long AlertRowDuplicates, long Undelivered);

/// <summary>
/// Reads what the receivers stored, after (or during) a scale run. One implementation per kind of store:
/// SQLite files today; a PostgreSQL counter reads the same tables from the shared database.
/// </summary>
public interface IStoreCounter
{
    /// <summary>How many stores there are (one per receiver, or one shared).</summary>
    int Stores { get; }

    /// <summary>Every stored alert row of devices whose id starts with <paramref name="devicePrefix"/>, duplicates included.</summary>
    IReadOnlyList<StoredAlert> Alerts(string devicePrefix);

    /// <summary>Dispatch queue and alert rows of one store; counts only, read-only.</summary>
    QueueTally Tally(int store, string devicePrefix);

    /// <summary>Webhook events queued in one store and not yet delivered; -1 when the store cannot be read right now (busy, not created yet).</summary>
    long Undelivered(int store);
}

/// <summary>
/// The one place that decides where each receiver of a scale run keeps its data: without --store, a
/// SQLite file of its own in its data folder (store=sqlite-per-receiver, the only mode without a shared
/// database); with --store URL, that URL for every receiver (store=shared). It also says which store a
/// receiver writes to, which webhook path its deliveries come to, and how the stores are counted.
/// </summary>
public sealed class ScaleStorePlan
{
    private readonly string? sharedUrl;
    private readonly IReadOnlyList<string> dataFolders;

    public ScaleStorePlan(string? sharedUrl, IReadOnlyList<string> dataFolders)
    {
        this.sharedUrl = string.IsNullOrWhiteSpace(sharedUrl) ? null : sharedUrl.Trim();
        this.dataFolders = dataFolders;
    }

    public bool Shared => sharedUrl != null;

    /// <summary>What the summary line says: store=sqlite-per-receiver, store=shared-sqlite or store=shared-postgresql.</summary>
    public string Mode => !Shared ? "sqlite-per-receiver"
        : sharedUrl!.StartsWith("postgres", StringComparison.OrdinalIgnoreCase) ? "shared-postgresql" : "shared-sqlite";

    /// <summary>The --store argument for this receiver, or null for the receiver's default (receiver.db in its --data).</summary>
    public string? StoreUrlFor(int receiver) => sharedUrl;

    /// <summary>The store a receiver writes to.</summary>
    public int StoreOf(int receiver) => Shared ? 0 : receiver;

    /// <summary>
    /// The webhook path a receiver delivers to: one per receiver when each has its own store (event ids are
    /// numbered per store, so the recorder must tell them apart), one for all when they share a store.
    /// </summary>
    public string HookPath(int receiver) => Shared ? "/hook/shared/" : "/hook/r" + receiver.ToString(CultureInfo.InvariantCulture) + "/";

    /// <summary>A counter for these stores: the receivers' own SQLite files, or the one shared store (SQLite file or PostgreSQL).</summary>
    public IStoreCounter Counter()
    {
        if (!Shared)
        {
            return DbStoreCounter.ForSqliteFiles(dataFolders.Select(d => Path.Combine(d, StoreLocation.DefaultFileName)).ToList());
        }
        (StoreTarget? target, string? error) = StoreLocation.Parse(sharedUrl, dataFolders[0]);
        if (target == null)
        {
            throw new NotSupportedException("scale cannot count this --store: " + error);
        }
        return target.Path != null ? DbStoreCounter.ForSqliteFiles(new[] { target.Path }) : DbStoreCounter.ForPostgres(target.PostgresConnectionString!);
    }
}

/// <summary>
/// Counts receiver stores with the same SQL on either engine (the receivers' schema is one): each store is
/// opened for every question and closed again, read-only where the engine allows, while the receivers keep writing.
/// </summary>
public sealed class DbStoreCounter : IStoreCounter
{
    private readonly IReadOnlyList<Func<DbConnection?>> stores;

    private DbStoreCounter(IReadOnlyList<Func<DbConnection?>> stores) => this.stores = stores;

    /// <summary>SQLite files, one store each (a file not created yet counts as empty).</summary>
    public static DbStoreCounter ForSqliteFiles(IReadOnlyList<string> files) =>
        new(files.Select(f => (Func<DbConnection?>)(() =>
        {
            if (!File.Exists(f)) return null;
            var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = f, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
            c.Open();
            return c;
        })).ToList());

    /// <summary>One PostgreSQL database shared by every receiver.</summary>
    public static DbStoreCounter ForPostgres(string connectionString) =>
        new(new Func<DbConnection?>[]
        {
            () =>
            {
                var c = new NpgsqlConnection(connectionString);
                c.Open();
                return c;
            },
        });

    public int Stores => stores.Count;

    public IReadOnlyList<StoredAlert> Alerts(string devicePrefix)
    {
        var rows = new List<StoredAlert>();
        for (int s = 0; s < stores.Count; s++)
        {
            using DbConnection? c = stores[s]();
            if (c == null || !HasSchema(c)) continue;
            using var cmd = c.CreateCommand();
            cmd.CommandText = "SELECT device_id, counter FROM frames WHERE device_id LIKE @p AND kind = @k";
            cmd.With("@p", devicePrefix + "%").With("@k", (int)MessageKind.Alert);
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                rows.Add(new StoredAlert(s, r.GetString(0), Convert.ToInt64(r.GetValue(1), CultureInfo.InvariantCulture)));
            }
        }
        return rows;
    }

    public QueueTally Tally(int store, string devicePrefix)
    {
        using DbConnection? c = stores[store]();
        if (c == null || !HasSchema(c)) return default;
        return new QueueTally(
            Scalar(c, "SELECT COUNT(*) FROM dispatch_queue WHERE device_id LIKE @p", devicePrefix),
            Scalar(c, "SELECT COALESCE(SUM(n - 1), 0) FROM (SELECT COUNT(*) AS n FROM dispatch_queue WHERE device_id LIKE @p GROUP BY device_id, counter HAVING COUNT(*) > 1) d", devicePrefix),
            Scalar(c, "SELECT COALESCE(SUM(n - 1), 0) FROM (SELECT COUNT(*) AS n FROM alerts WHERE device_id LIKE @p GROUP BY device_id, counter HAVING COUNT(*) > 1) d", devicePrefix),
            Scalar(c, UndeliveredSql));
    }

    public long Undelivered(int store)
    {
        try
        {
            using DbConnection? c = stores[store]();
            return c == null || !HasSchema(c) ? -1 : Scalar(c, UndeliveredSql);
        }
        catch (DbException)
        {
            return -1;
        }
    }

    // an event counts as delivered once any webhook target took it (the bench configures one target per receiver)
    private const string UndeliveredSql =
        "SELECT COUNT(*) FROM dispatch_queue q WHERE NOT EXISTS (SELECT 1 FROM webhook_deliveries w WHERE w.queue_id = q.id AND w.delivered_utc IS NOT NULL)";

    /// <summary>False for a store no receiver has created its tables in yet (a fresh PostgreSQL database).</summary>
    private static bool HasSchema(DbConnection c) =>
        Scalar(c, c is NpgsqlConnection
            ? "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'frames'"
            : "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'frames'") > 0;

    private static long Scalar(DbConnection c, string sql, string? devicePrefix = null)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        if (devicePrefix != null) cmd.With("@p", devicePrefix + "%");
        return Convert.ToInt64(cmd.ExecuteScalar() ?? 0L, CultureInfo.InvariantCulture);
    }
}
