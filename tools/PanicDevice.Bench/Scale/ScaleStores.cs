using System.Globalization;
using Microsoft.Data.Sqlite;
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

    /// <summary>What the summary line says: store=sqlite-per-receiver or store=shared.</summary>
    public string Mode => Shared ? "shared" : "sqlite-per-receiver";

    /// <summary>The --store argument for this receiver, or null for the receiver's default (receiver.db in its --data).</summary>
    public string? StoreUrlFor(int receiver) => sharedUrl;

    /// <summary>The store a receiver writes to.</summary>
    public int StoreOf(int receiver) => Shared ? 0 : receiver;

    /// <summary>
    /// The webhook path a receiver delivers to: one per receiver when each has its own store (event ids are
    /// numbered per store, so the recorder must tell them apart), one for all when they share a store.
    /// </summary>
    public string HookPath(int receiver) => Shared ? "/hook/shared/" : "/hook/r" + receiver.ToString(CultureInfo.InvariantCulture) + "/";

    /// <summary>A counter for these stores; throws NotSupportedException for a store this bench cannot read yet.</summary>
    public IStoreCounter Counter()
    {
        if (!Shared)
        {
            return new SqliteStoreCounter(dataFolders.Select(d => Path.Combine(d, StoreLocation.DefaultFileName)).ToList());
        }
        (string? path, string? error) = StoreLocation.Resolve(sharedUrl, dataFolders[0]);
        if (path == null)
        {
            // e.g. postgres://: the receiver refuses it too in this tree; a PostgreSQL counter goes here
            throw new NotSupportedException("scale cannot count this --store yet: " + error);
        }
        return new SqliteStoreCounter(new[] { path });
    }
}

/// <summary>Counts SQLite receiver stores, each opened read-only and closed again for every question (the receivers keep writing).</summary>
public sealed class SqliteStoreCounter(IReadOnlyList<string> files) : IStoreCounter
{
    public int Stores => files.Count;

    public IReadOnlyList<StoredAlert> Alerts(string devicePrefix)
    {
        var rows = new List<StoredAlert>();
        for (int s = 0; s < files.Count; s++)
        {
            if (!File.Exists(files[s])) continue;
            using var c = Open(files[s]);
            using var cmd = c.CreateCommand();
            cmd.CommandText = "SELECT device_id, counter FROM frames WHERE device_id LIKE $p AND kind = $k";
            cmd.Parameters.AddWithValue("$p", devicePrefix + "%");
            cmd.Parameters.AddWithValue("$k", (int)MessageKind.Alert);
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                rows.Add(new StoredAlert(s, r.GetString(0), r.GetInt64(1)));
            }
        }
        return rows;
    }

    public QueueTally Tally(int store, string devicePrefix)
    {
        if (!File.Exists(files[store])) return default;
        using var c = Open(files[store]);
        return new QueueTally(
            Scalar(c, "SELECT COUNT(*) FROM dispatch_queue WHERE device_id LIKE $p", devicePrefix),
            Scalar(c, "SELECT COALESCE(SUM(n - 1), 0) FROM (SELECT COUNT(*) AS n FROM dispatch_queue WHERE device_id LIKE $p GROUP BY device_id, counter HAVING n > 1)", devicePrefix),
            Scalar(c, "SELECT COALESCE(SUM(n - 1), 0) FROM (SELECT COUNT(*) AS n FROM alerts WHERE device_id LIKE $p GROUP BY device_id, counter HAVING n > 1)", devicePrefix),
            Scalar(c, UndeliveredSql));
    }

    public long Undelivered(int store)
    {
        try
        {
            if (!File.Exists(files[store])) return -1;
            using var c = Open(files[store]);
            return Scalar(c, UndeliveredSql);
        }
        catch (SqliteException)
        {
            return -1;
        }
    }

    // an event counts as delivered once any webhook target took it (the bench configures one target per receiver)
    private const string UndeliveredSql =
        "SELECT COUNT(*) FROM dispatch_queue q WHERE NOT EXISTS (SELECT 1 FROM webhook_deliveries w WHERE w.queue_id = q.id AND w.delivered_utc IS NOT NULL)";

    private static SqliteConnection Open(string path)
    {
        var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        c.Open();
        return c;
    }

    private static long Scalar(SqliteConnection c, string sql, string? devicePrefix = null)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        if (devicePrefix != null) cmd.Parameters.AddWithValue("$p", devicePrefix + "%");
        return Convert.ToInt64(cmd.ExecuteScalar() ?? 0L, CultureInfo.InvariantCulture);
    }
}
