using System.Data.Common;
using PanicDevice.Core.Protocol;
using PanicDevice.Receiver.Pipeline;

namespace PanicDevice.Receiver.Storage;

/// <summary>
/// The set-based part of a group commit on PostgreSQL. There every statement is a network round trip, and storing one
/// alert takes about nine (window, frame, device, alert, timeline, CAP message, counter events, queue lock, queue), so
/// a batch of 50 alerts cost some 450 round trips and one receiver stored about 400 alerts/s. The frames a mass event
/// is made of are written here with one statement per table for the whole batch: the frames of a device whose frames in
/// the batch are all alerts or heartbeats, each new to its replay window, with no refused counter waiting to be resolved.
/// Every other device's frames (follow-ups, cancels, duplicates, refusals, a counter a re-key left stored) are left to
/// the per-frame store, which runs after this in the same transaction and in arrival order; a
/// device's frames all go one way, so its own order is kept. The rows written are the rows the per-frame store writes
/// (<c>FrameBulkWriterTests</c> compares the two on the same frames).
/// </summary>
internal static class FrameBulkWriter
{
    /// <summary>
    /// Locks every device of the batch (in one fixed order, as <see cref="StoreDialect.LockDevicesInOrder"/> does) and
    /// stores the frames it can; returns each frame's outcome, null where the per-frame store must decide, or null for all
    /// of it when the transaction must be rolled back and the batch written frame by frame.
    /// </summary>
    public static StoreResult?[]? Write(StoreDialect dialect, DbTransaction tx, StatementCache statements, IReadOnlyList<FrameStoreBatcher.Item> batch, bool joinsIncidents = false)
    {
        var outcomes = new StoreResult?[batch.Count];
        var framesOf = new Dictionary<string, int>(StringComparer.Ordinal);
        var alertsOf = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (FrameStoreBatcher.Item item in batch)
        {
            framesOf[item.Frame.DeviceId] = framesOf.GetValueOrDefault(item.Frame.DeviceId) + 1;
            if (item.Frame.Kind == MessageKind.Alert)
            {
                alertsOf[item.Frame.DeviceId] = alertsOf.GetValueOrDefault(item.Frame.DeviceId) + 1;
            }
        }

        // One statement locks the batch's devices and says, for each, its window and whether a refused counter waits.
        var windows = new Dictionary<string, ReplayWindow>(StringComparer.Ordinal);
        {
            var read = statements.Get(tx, """
                SELECT d.id, d.replay_window,
                       EXISTS (SELECT 1 FROM counter_events e WHERE e.device_id = d.id AND e.resent_counter IS NULL),
                       EXISTS (SELECT 1 FROM alerts a WHERE a.device_id = d.id AND a.state IN ('new','acknowledged','assigned'))
                FROM devices d WHERE d.id = ANY(@ids) ORDER BY d.id FOR UPDATE OF d
                """);
            read.With("@ids", framesOf.Keys.ToArray());
            using DbDataReader r = read.ExecuteReader();
            while (r.Read())
            {
                // A press of a device with an open alert, or a second press in the batch, may join an incident: the
                // per-frame store decides (AlertBook.Project).
                bool mayJoin = joinsIncidents && (alertsOf.GetValueOrDefault(r.GetString(0)) > 1 || (alertsOf.ContainsKey(r.GetString(0)) && r.GetBoolean(3)));
                if (!r.GetBoolean(2) && !mayJoin)
                {
                    windows[r.GetString(0)] = ReplayWindow.FromBytes(r.IsDBNull(1) ? null : (byte[])r.GetValue(1));
                }
            }
        }

        // A device's frames are all taken or all left, each checked against the window as its predecessors left it.
        var slow = new HashSet<string>(StringComparer.Ordinal);
        var moved = new Dictionary<string, ReplayWindow>(StringComparer.Ordinal);
        foreach (FrameStoreBatcher.Item item in batch)
        {
            Frame f = item.Frame;
            if (slow.Contains(f.DeviceId))
            {
                continue;
            }
            if (!moved.TryGetValue(f.DeviceId, out ReplayWindow? window))
            {
                if (!windows.TryGetValue(f.DeviceId, out ReplayWindow? read))
                {
                    slow.Add(f.DeviceId);
                    continue;
                }
                moved[f.DeviceId] = window = read;
            }
            if (f.Kind is not (MessageKind.Alert or MessageKind.Heartbeat) || window.Check(f.Counter) != ReplayVerdict.New)
            {
                slow.Add(f.DeviceId);
                continue;
            }
            window.Mark(f.Counter);
        }
        var chosen = new List<int>(batch.Count);
        for (int i = 0; i < batch.Count; i++)
        {
            if (!slow.Contains(batch[i].Frame.DeviceId))
            {
                chosen.Add(i);
            }
        }
        if (chosen.Count == 0)
        {
            return outcomes;
        }

        // A frame whose (device, counter) is taken already (a re-keyed device's counter restarted below its old frames)
        // is not inserted. Alone in the batch for its device, it goes to the per-frame store, which compares the bytes;
        // with other frames of its device already inserted, nothing here is right any more (null: write it all again
        // frame by frame).
        var inserted = InsertFrames(tx, statements, batch, chosen);
        if (inserted.Count < chosen.Count)
        {
            var refused = chosen.Where(i => !inserted.Contains((batch[i].Frame.DeviceId, (long)batch[i].Frame.Counter))).Select(i => batch[i].Frame.DeviceId).ToHashSet(StringComparer.Ordinal);
            if (chosen.Any(i => refused.Contains(batch[i].Frame.DeviceId) && framesOf[batch[i].Frame.DeviceId] > 1))
            {
                return null;
            }
            chosen.RemoveAll(i => refused.Contains(batch[i].Frame.DeviceId));
            if (chosen.Count == 0)
            {
                return outcomes;
            }
        }

        UpdateDevices(tx, statements, batch, chosen, moved);
        AlertBook.ProjectNewAlerts(tx, statements, chosen.Where(i => batch[i].Frame.Kind == MessageKind.Alert).Select(i => (batch[i].Frame, batch[i].Path, batch[i].ReceivedUtc.ToString("O"))).ToList());
        QueueDispatch(dialect, tx, statements, batch, chosen);
        foreach (int i in chosen)
        {
            outcomes[i] = new StoreResult(StoreOutcome.Stored, 0);
        }
        return outcomes;
    }

    private static HashSet<(string, long)> InsertFrames(DbTransaction tx, StatementCache statements, IReadOnlyList<FrameStoreBatcher.Item> batch, List<int> chosen)
    {
        var insert = statements.Get(tx, """
            INSERT INTO frames (device_id, counter, kind, code, device_time_utc, lat_e7, lon_e7, accuracy_m, fix_age_s, source, battery, signal_dbm, flags, raw, path, received_utc)
            SELECT * FROM unnest(@d::text[], @c::bigint[], @k::int[], @code::int[], @t::bigint[], @lat::int[], @lon::int[], @acc::int[], @age::int[],
                                 @src::int[], @bat::int[], @sig::int[], @fl::int[], @raw::bytea[], @path::text[], @rx::text[])
            ON CONFLICT (device_id, counter) DO NOTHING
            RETURNING device_id, counter
            """);
        insert.With("@d", Column(batch, chosen, it => it.Frame.DeviceId));
        insert.With("@c", Column(batch, chosen, it => (long)it.Frame.Counter));
        insert.With("@k", Column(batch, chosen, it => (int)it.Frame.Kind));
        insert.With("@code", Column(batch, chosen, it => (int)it.Frame.Code));
        insert.With("@t", Column(batch, chosen, it => (long)it.Frame.TimeUtcSeconds));
        insert.With("@lat", Column(batch, chosen, it => it.Frame.LatitudeE7));
        insert.With("@lon", Column(batch, chosen, it => it.Frame.LongitudeE7));
        insert.With("@acc", Column(batch, chosen, it => (int)it.Frame.AccuracyM));
        insert.With("@age", Column(batch, chosen, it => (int)it.Frame.FixAgeS));
        insert.With("@src", Column(batch, chosen, it => (int)it.Frame.Source));
        insert.With("@bat", Column(batch, chosen, it => (int)it.Frame.BatteryPercent));
        insert.With("@sig", Column(batch, chosen, it => (int)it.Frame.SignalDbm));
        insert.With("@fl", Column(batch, chosen, it => (int)it.Frame.Flags));
        insert.With("@raw", Column(batch, chosen, it => it.Raw));
        insert.With("@path", Column(batch, chosen, it => it.Path));
        insert.With("@rx", Column(batch, chosen, it => it.ReceivedUtc.ToString("O")));
        var inserted = new HashSet<(string, long)>();
        using DbDataReader r = insert.ExecuteReader();
        while (r.Read())
        {
            inserted.Add((r.GetString(0), r.GetInt64(1)));
        }
        return inserted;
    }

    private static void UpdateDevices(DbTransaction tx, StatementCache statements, IReadOnlyList<FrameStoreBatcher.Item> batch, List<int> chosen, Dictionary<string, ReplayWindow> moved)
    {
        // One row per device, as its frames applied one after another would leave it: the last arrival's time, and the
        // last battery and signal readings its frames had (a frame without one keeps the one before).
        var last = new Dictionary<string, (string Rx, int Battery, int Signal)>(StringComparer.Ordinal);
        foreach (int i in chosen)
        {
            Frame f = batch[i].Frame;
            (string Rx, int Battery, int Signal) before = last.TryGetValue(f.DeviceId, out var b) ? b : ("", Frame.UnknownBattery, 0);
            last[f.DeviceId] = (batch[i].ReceivedUtc.ToString("O"),
                f.BatteryPercent == Frame.UnknownBattery ? before.Battery : f.BatteryPercent,
                f.SignalDbm == 0 ? before.Signal : f.SignalDbm);
        }
        var update = statements.Get(tx, """
            UPDATE devices AS d SET replay_window = u.w, last_seen_utc = u.rx,
              battery = CASE WHEN u.bat = 255 THEN d.battery ELSE u.bat END,
              signal_dbm = CASE WHEN u.sig = 0 THEN d.signal_dbm ELSE u.sig END
            FROM unnest(@id::text[], @w::bytea[], @rx::text[], @bat::int[], @sig::int[]) AS u(id, w, rx, bat, sig)
            WHERE d.id = u.id
            """);
        string[] ids = last.Keys.ToArray();
        update.With("@id", ids);
        update.With("@w", ids.Select(id => moved[id].ToBytes()).ToArray());
        update.With("@rx", ids.Select(id => last[id].Rx).ToArray());
        update.With("@bat", ids.Select(id => last[id].Battery).ToArray());
        update.With("@sig", ids.Select(id => last[id].Signal).ToArray());
        update.ExecuteNonQuery();
    }

    private static void QueueDispatch(StoreDialect dialect, DbTransaction tx, StatementCache statements, IReadOnlyList<FrameStoreBatcher.Item> batch, List<int> chosen)
    {
        if (dialect.QueueInsertLock is { } queueLock)
        {
            statements.Get(tx, queueLock).ExecuteNonQuery();
        }
        // Ids in arrival order, as the per-frame store would number them.
        var queue = statements.Get(tx, """
            INSERT INTO dispatch_queue (device_id, counter, event, created_utc)
            SELECT u.d, u.c, 'frame', u.rx FROM unnest(@d::text[], @c::bigint[], @rx::text[]) WITH ORDINALITY AS u(d, c, rx, n) ORDER BY u.n
            """);
        queue.With("@d", Column(batch, chosen, it => it.Frame.DeviceId));
        queue.With("@c", Column(batch, chosen, it => (long)it.Frame.Counter));
        queue.With("@rx", Column(batch, chosen, it => it.ReceivedUtc.ToString("O")));
        queue.ExecuteNonQuery();
    }

    private static T[] Column<T>(IReadOnlyList<FrameStoreBatcher.Item> batch, List<int> chosen, Func<FrameStoreBatcher.Item, T> value)
    {
        var column = new T[chosen.Count];
        for (int j = 0; j < chosen.Count; j++)
        {
            column[j] = value(batch[chosen[j]]);
        }
        return column;
    }
}
