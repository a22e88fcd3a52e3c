using System.Data.Common;
using PanicDevice.Core.Protocol;

namespace PanicDevice.Receiver.Storage;

/// <summary>
/// A verified frame the store refused for its counter, as operators see it: everything the frame said (kind, code,
/// position, battery) with why its counter was refused, the counter the device was told to continue from, and what
/// became of it. Its content is signed with the device's key but not verified as new: the device's counter restarted,
/// or someone else holds the key.
/// </summary>
internal sealed record CounterEventView(long Id, string DeviceId, uint Counter, string Reason, string Kind, string Code, uint DeviceTimeUtc,
    double? Lat, double? Lon, int? AccuracyM, string Source, int? BatteryPercent, string Path, uint NextCounter, string ReceivedUtc,
    uint? ResentCounter, string? ResentUtc, string? AcknowledgedUtc, string? AcknowledgedBy)
{
    /// <summary>Neither re-sent under a new counter (and stored) nor acknowledged by an operator.</summary>
    public bool Open => ResentCounter == null && AcknowledgedUtc == null;
}

/// <summary>
/// Counter events: recorded by <see cref="FrameStore"/> in the transaction that refuses the frame (once per distinct
/// bytes, however often the device or its SMS copy repeats them), resolved in the transaction that stores the same
/// message re-sent under a new counter, listed and acknowledged by operators.
/// </summary>
internal sealed class CounterEventBook
{
    /// <summary>Other bytes are stored under the counter.</summary>
    public const string Reused = "counter-reuse";
    /// <summary>The counter is below the anti-replay window and nothing is stored under it.</summary>
    public const string TooOld = "counter-too-old";

    private const string Columns = "id, device_id, counter, reason, kind, code, device_time_utc, lat_e7, lon_e7, accuracy_m, source, battery, path, next_counter, received_utc, resent_counter, resent_utc, acknowledged_utc, acknowledged_by";

    private readonly ReceiverDatabase db;

    public CounterEventBook(ReceiverDatabase db) => this.db = db;

    /// <summary>Records a refused frame (nothing when these bytes are already recorded).</summary>
    internal static void Record(StatementCache statements, DbTransaction tx, Frame f, byte[] raw, string path, string reason, uint nextCounter, string nowUtc)
    {
        var insert = statements.Get(tx, """
            INSERT INTO counter_events (device_id, counter, reason, kind, code, device_time_utc, lat_e7, lon_e7, accuracy_m, fix_age_s, source, battery, signal_dbm, flags, raw, path, next_counter, received_utc)
            VALUES (@d, @c, @reason, @k, @code, @t, @lat, @lon, @acc, @age, @src, @bat, @sig, @fl, @raw, @path, @next, @rx)
            ON CONFLICT (device_id, raw) DO NOTHING
            """);
        insert.With("@d", f.DeviceId);
        insert.With("@c", (long)f.Counter);
        insert.With("@reason", reason);
        insert.With("@k", (int)f.Kind);
        insert.With("@code", (int)f.Code);
        insert.With("@t", (long)f.TimeUtcSeconds);
        insert.With("@lat", f.LatitudeE7);
        insert.With("@lon", f.LongitudeE7);
        insert.With("@acc", (int)f.AccuracyM);
        insert.With("@age", (int)f.FixAgeS);
        insert.With("@src", (int)f.Source);
        insert.With("@bat", (int)f.BatteryPercent);
        insert.With("@sig", (int)f.SignalDbm);
        insert.With("@fl", (int)f.Flags);
        insert.With("@raw", raw);
        insert.With("@path", path);
        insert.With("@next", (long)nextCounter);
        insert.With("@rx", nowUtc);
        insert.ExecuteNonQuery();
    }

    /// <summary>
    /// Called by <see cref="FrameStore"/> for every frame it stores: the device re-signs a refused frame with every
    /// field kept but the counter, so an open event of this device with a lower counter and the same content is that
    /// message, now stored. A refused heartbeat is answered with a fresh one (other content): the next stored
    /// heartbeat resolves it. A re-sent alert's timeline says where it was first refused.
    /// </summary>
    internal static void Resolve(DbConnection c, DbTransaction tx, StatementCache statements, Frame f, string nowUtc)
    {
        var update = statements.Get(tx, """
            UPDATE counter_events SET resent_counter = @c, resent_utc = @rx
            WHERE device_id = @d AND resent_counter IS NULL AND counter < @c AND kind = @k
              AND (@k = 4 OR (code = @code AND device_time_utc = @t AND lat_e7 = @lat AND lon_e7 = @lon AND accuracy_m = @acc
                   AND fix_age_s = @age AND source = @src AND battery = @bat AND signal_dbm = @sig AND flags = @fl))
            RETURNING counter
            """);
        update.With("@c", (long)f.Counter);
        update.With("@rx", nowUtc);
        update.With("@d", f.DeviceId);
        update.With("@k", (int)f.Kind);
        update.With("@code", (int)f.Code);
        update.With("@t", (long)f.TimeUtcSeconds);
        update.With("@lat", f.LatitudeE7);
        update.With("@lon", f.LongitudeE7);
        update.With("@acc", (int)f.AccuracyM);
        update.With("@age", (int)f.FixAgeS);
        update.With("@src", (int)f.Source);
        update.With("@bat", (int)f.BatteryPercent);
        update.With("@sig", (int)f.SignalDbm);
        update.With("@fl", (int)f.Flags);
        if (update.ExecuteScalar() is long refused && f.Kind == MessageKind.Alert)
        {
            AlertBook.AddTimelineOf(c, tx, f.DeviceId, f.Counter, nowUtc, "counter-resync",
                "first sent under counter " + refused + ", which was already used (the device's counter restarted, or its key is cloned); re-sent under " + f.Counter);
        }
    }

    /// <summary>Newest first.</summary>
    public IReadOnlyList<CounterEventView> Recent(int limit) => Query("ORDER BY id DESC LIMIT @n", ("@n", limit));

    public CounterEventView? Find(long id) => Query("WHERE id = @id", ("@id", id)).FirstOrDefault();

    /// <summary>The event recorded for these bytes of this device, or null.</summary>
    public CounterEventView? FindByBytes(string deviceId, byte[] raw) =>
        Query("WHERE device_id = @d AND raw = @raw", ("@d", deviceId), ("@raw", raw)).FirstOrDefault();

    /// <summary>Events neither re-sent nor acknowledged.</summary>
    public long CountOpen()
    {
        using var c = db.Open();
        using var cmd = ReceiverDatabase.Command(c, null, "SELECT COUNT(*) FROM counter_events WHERE resent_counter IS NULL AND acknowledged_utc IS NULL");
        return (long)cmd.ExecuteScalar()!;
    }

    /// <summary>An operator has seen the event; returns it, or null when the id is unknown.</summary>
    public CounterEventView? Acknowledge(long id, string operatorName)
    {
        using (var c = db.Open())
        using (var cmd = ReceiverDatabase.Command(c, null, "UPDATE counter_events SET acknowledged_utc = @now, acknowledged_by = @by WHERE id = @id AND acknowledged_utc IS NULL"))
        {
            cmd.With("@now", DateTime.UtcNow.ToString("O"));
            cmd.With("@by", operatorName);
            cmd.With("@id", id);
            cmd.ExecuteNonQuery();
        }
        return Find(id);
    }

    private List<CounterEventView> Query(string where, params (string Name, object Value)[] parameters)
    {
        using var c = db.Open();
        using var cmd = ReceiverDatabase.Command(c, null, "SELECT " + Columns + " FROM counter_events " + where);
        foreach (var (name, value) in parameters)
        {
            cmd.With(name, value);
        }
        var list = new List<CounterEventView>();
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            var source = (LocationSource)r.GetInt32(10);
            bool placed = source != LocationSource.None;
            int battery = r.GetInt32(11);
            list.Add(new CounterEventView(r.GetInt64(0), r.GetString(1), (uint)r.GetInt64(2), r.GetString(3), KindName((MessageKind)r.GetInt32(4)),
                CodeName(r.GetInt32(5)), (uint)r.GetInt64(6), placed ? r.GetInt32(7) / 1e7 : null, placed ? r.GetInt32(8) / 1e7 : null,
                placed && r.GetInt32(9) != Frame.Unknown16 ? r.GetInt32(9) : null, AlertBook.SourceName(source), battery == Frame.UnknownBattery ? null : battery,
                r.GetString(12), (uint)r.GetInt64(13), r.GetString(14), r.IsDBNull(15) ? null : (uint)r.GetInt64(15), r.IsDBNull(16) ? null : r.GetString(16),
                r.IsDBNull(17) ? null : r.GetString(17), r.IsDBNull(18) ? null : r.GetString(18)));
        }
        return list;
    }

    private static string KindName(MessageKind kind) => kind switch
    {
        MessageKind.Alert => "alert",
        MessageKind.Update => "update",
        MessageKind.Cancel => "cancel",
        MessageKind.Heartbeat => "heartbeat",
        MessageKind.Call => "call",
        _ => "kind-" + (int)kind,
    };

    private static string CodeName(int code) => (AlertCode)code switch
    {
        AlertCode.None => "none",
        AlertCode.Cancel => "cancel",
        AlertCode.DuressCancel => "duress-cancel",
        _ => AlertBook.KindName(code),
    };
}
