using PanicDevice.Core.Config;
using System.Data.Common;
using PanicDevice.Core.Protocol;

namespace PanicDevice.Receiver.Storage;

/// <summary>States an alert moves through at the command centre.</summary>
internal static class AlertStates
{
    public const string New = "new";
    public const string Acknowledged = "acknowledged";
    public const string Assigned = "assigned";
    public const string Resolved = "resolved";
    public const string FalseAlarm = "false-alarm";
    public const string Cancelled = "cancelled";

    public static bool IsOpen(string state) => state is New or Acknowledged or Assigned;
}

/// <summary>An alert as operators see it.</summary>
internal sealed record AlertView(long Id, string DeviceId, uint Counter, string Kind, string State, bool Duress, double? Lat, double? Lon, int? AccuracyM, string Source,
    string? Responder, string OpenedUtc, string UpdatedUtc, IReadOnlyList<TimelineEntry> Timeline, string? EscalatedUtc = null, AlertSubject? Who = null,
    IReadOnlyList<TrailPoint>? Trail = null, uint? LastCounter = null);

/// <summary>One position of an alert's trail: the alert's own fix or a follow-up's, oldest first.</summary>
internal sealed record TrailPoint(double Lat, double Lon, int? AccuracyM, string AtUtc, string Source);

/// <summary>
/// Who and where the alert is from, as kept at provisioning and by operators: the person or site, phones to call back,
/// the wall unit's address, notes. Only the operator API carries it (never CAP, webhooks or the device).
/// </summary>
internal sealed record AlertSubject(string Name, string Phone, string[] Guardians, string Address, string Notes, string Language, string DeviceKind);

internal sealed record TimelineEntry(string AtUtc, string Event, string Detail);

/// <summary>
/// Alerts and their timelines, projected from stored frames inside the frame's own transaction (so a
/// frame stored is a timeline entry written, exactly once) and changed by operator actions.
/// Follow-ups and cancels carry their own counters, so they attach to the device's latest open alert.
/// An alert without a position is an alert like any other: nothing here filters on the fix.
/// Each change that a command centre must hear of is also recorded as a CAP message, in the same
/// transaction (<see cref="CapMessageLog"/>).
/// </summary>
internal sealed class AlertBook
{
    private readonly ReceiverDatabase db;
    private readonly TimeProvider time;

    /// <summary>An alert book on <paramref name="db"/>; <paramref name="time"/> stamps operator actions (the system clock when null).</summary>
    public AlertBook(ReceiverDatabase db, TimeProvider? time = null)
    {
        this.db = db;
        this.time = time ?? TimeProvider.System;
    }

    /// <summary>Called by <see cref="FrameStore"/> within its transaction, after the frame row is inserted.</summary>
    /// <summary>
    /// How long after an alert opened another alert frame of its device joins it instead of opening a new one: a person
    /// pressing again, or a fob's panic followed by a hold, is one emergency with one timeline.
    /// </summary>
    public static readonly TimeSpan SuggestedIncidentWindow = TimeSpan.FromMinutes(10);

    // Most urgent first: what an incident is called when its presses differ.
    private static int Urgency(int code) => (AlertCode)code switch
    {
        AlertCode.HoldUp => 0,
        AlertCode.Panic => 1,
        AlertCode.ButtonFault => 2,
        AlertCode.Test => 3,
        _ => 1,
    };

    // Presses of one sort join each other only: an exercise never merges with an emergency, nor a fault report with either.
    private static string SortOf(byte code) => (AlertCode)code switch
    {
        AlertCode.Test => "(" + (int)AlertCode.Test + ")",
        AlertCode.ButtonFault => "(" + (int)AlertCode.ButtonFault + ")",
        _ => "(" + (int)AlertCode.Panic + "," + (int)AlertCode.HoldUp + ")",
    };

    /// <summary>The device's latest open alert of the same sort opened at or after <paramref name="sinceUtc"/>: the incident a new press joins.</summary>
    private static (long Id, int Code)? JoinableIncident(DbConnection c, DbTransaction tx, StatementCache? s, string deviceId, byte code, string sinceUtc)
    {
        using var lease = StatementCache.Use(s, c, tx, "SELECT id, code FROM alerts WHERE device_id = @d AND state IN ('new','acknowledged','assigned') AND opened_utc >= @since AND code IN "
            + SortOf(code) + " ORDER BY id DESC LIMIT 1");
        DbCommand cmd = lease.Command;
        cmd.With("@d", deviceId);
        cmd.With("@since", sinceUtc);
        using var r = cmd.ExecuteReader();
        return r.Read() ? (r.GetInt64(0), r.GetInt32(1)) : null;
    }

    // Another press joins the incident: its kind if more urgent, its fix if it has one, its counter as the one the
    // device now waits on (operators' status frames go to it), a timeline entry; a CAP update when it moved.
    private static void Join(DbConnection c, DbTransaction tx, StatementCache? s, long id, int code, Frame f, string path, string nowUtc)
    {
        CapMessageLog.Adopt(c, tx, id, s);
        bool positioned = f.Source != LocationSource.None;
        using (var lease = StatementCache.Use(s, c, tx, positioned
            ? "UPDATE alerts SET code = @code, last_counter = @c, lat_e7 = @lat, lon_e7 = @lon, accuracy_m = @acc, source = @src, updated_utc = @now WHERE id = @id"
            : "UPDATE alerts SET code = @code, last_counter = @c, updated_utc = @now WHERE id = @id"))
        {
            DbCommand update = lease.Command;
            update.With("@code", Urgency(f.Code) < Urgency(code) ? f.Code : code);
            update.With("@c", (long)f.Counter);
            update.With("@now", nowUtc);
            update.With("@id", id);
            if (positioned)
            {
                update.With("@lat", f.LatitudeE7);
                update.With("@lon", f.LongitudeE7);
                update.With("@acc", (int)f.AccuracyM);
                update.With("@src", (int)f.Source);
            }
            update.ExecuteNonQuery();
        }
        AddTimeline(c, tx, s, id, nowUtc, "pressed-again-" + path, KindName(f.Code) + " · " + Describe(f));
        if (positioned)
        {
            CapMessageLog.Append(c, tx, id, CapEvent.Position, nowUtc, s);
        }
    }

    public static void Project(DbConnection c, DbTransaction tx, Frame f, string path, string nowUtc, TimeSpan incidentWindow, StatementCache? s = null)
    {
        switch (f.Kind)
        {
            case MessageKind.Alert:
                if (incidentWindow > TimeSpan.Zero
                    && JoinableIncident(c, tx, s, f.DeviceId, f.Code, (DateTime.Parse(nowUtc, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal) - incidentWindow).ToString("O")) is { } incident)
                {
                    Join(c, tx, s, incident.Id, incident.Code, f, path, nowUtc);
                    break;
                }
                long id;
                using (var lease = StatementCache.Use(s, c, tx, """
                    INSERT INTO alerts (device_id, counter, code, state, lat_e7, lon_e7, accuracy_m, source, opened_utc, updated_utc)
                    VALUES (@d, @c, @code, 'new', @lat, @lon, @acc, @src, @now, @now) RETURNING id
                    """))
                {
                    DbCommand insert = lease.Command;
                    insert.With("@d", f.DeviceId);
                    insert.With("@c", (long)f.Counter);
                    insert.With("@code", (int)f.Code);
                    insert.With("@lat", f.LatitudeE7);
                    insert.With("@lon", f.LongitudeE7);
                    insert.With("@acc", (int)f.AccuracyM);
                    insert.With("@src", (int)f.Source);
                    insert.With("@now", nowUtc);
                    id = (long)insert.ExecuteScalar()!;
                }
                AddTimeline(c, tx, s, id, nowUtc, "received-" + path, Describe(f));
                CapMessageLog.Append(c, tx, id, CapEvent.Alert, nowUtc, s);
                break;
            case MessageKind.Cancel:
                // "I am safe" is about the person, not one alert: a fob held to cancel has just raised a
                // second alert on the way (the 3 s hold), and the first must not stay open behind it.
                // A duress cancel flags every open alert and closes none.
                bool duress = f.Code == (byte)AlertCode.DuressCancel;
                foreach (long openId in AllOpen(c, tx, s, f.DeviceId))
                {
                    CapMessageLog.Adopt(c, tx, openId, s);
                    using var lease = StatementCache.Use(s, c, tx, duress
                        ? "UPDATE alerts SET duress = 1, updated_utc = @now WHERE id = @id"
                        : "UPDATE alerts SET state = 'cancelled', updated_utc = @now WHERE id = @id");
                    DbCommand cancel = lease.Command;
                    cancel.With("@now", nowUtc);
                    cancel.With("@id", openId);
                    cancel.ExecuteNonQuery();
                    AddTimeline(c, tx, s, openId, nowUtc, duress ? "duress" : "cancelled-by-user", "");
                    // Duress is never a CAP Cancel: the alert escalates and stays actionable.
                    CapMessageLog.Append(c, tx, openId, duress ? CapEvent.Duress : AlertStates.Cancelled, nowUtc, s);
                }
                break;
            case MessageKind.Call:
                // What the device's calls came to arrives once the data path is back, often after the alert moved on: the
                // open alert's timeline, or the device's last alert's when none is open (a listen-in after it closed).
                long? about = LatestOpen(c, tx, s, f.DeviceId) ?? Latest(c, tx, s, f.DeviceId);
                if (about != null)
                {
                    AddTimeline(c, tx, s, about.Value, nowUtc, CallEventName(f.Code), CallDetail(f));
                }
                break;
            case MessageKind.Update:
                long? open = LatestOpen(c, tx, s, f.DeviceId);
                if (open == null)
                {
                    return; // a follow-up for an alert already closed: the frame itself is stored
                }
                if (f.Kind == MessageKind.Update && f.Source != LocationSource.None)
                {
                    CapMessageLog.Adopt(c, tx, open.Value, s);
                    using var lease = StatementCache.Use(s, c, tx, "UPDATE alerts SET lat_e7 = @lat, lon_e7 = @lon, accuracy_m = @acc, source = @src, updated_utc = @now WHERE id = @id");
                    DbCommand move = lease.Command;
                    move.With("@lat", f.LatitudeE7);
                    move.With("@lon", f.LongitudeE7);
                    move.With("@acc", (int)f.AccuracyM);
                    move.With("@src", (int)f.Source);
                    move.With("@now", nowUtc);
                    move.With("@id", open.Value);
                    move.ExecuteNonQuery();
                    AddTimeline(c, tx, s, open.Value, nowUtc, "follow-up-" + path, Describe(f));
                    CapMessageLog.Append(c, tx, open.Value, CapEvent.Position, nowUtc, s);
                }
                break;
        }
    }

    /// <summary>
    /// What <see cref="Project"/> writes for new alerts, for many at once and on PostgreSQL only (arrays): the alerts, their first
    /// timeline entry and their first CAP message, one statement each (<see cref="FrameBulkWriter"/>), numbered in the order given.
    /// </summary>
    internal static void ProjectNewAlerts(DbTransaction tx, StatementCache statements, IReadOnlyList<(Frame Frame, string Path, string NowUtc)> alerts)
    {
        if (alerts.Count == 0)
        {
            return;
        }
        var insert = statements.Get(tx, """
            INSERT INTO alerts (device_id, counter, code, state, lat_e7, lon_e7, accuracy_m, source, opened_utc, updated_utc)
            SELECT u.d, u.c, u.code, 'new', u.lat, u.lon, u.acc, u.src, u.now, u.now
            FROM unnest(@d::text[], @c::bigint[], @code::int[], @lat::int[], @lon::int[], @acc::int[], @src::int[], @now::text[]) WITH ORDINALITY AS u(d, c, code, lat, lon, acc, src, now, n)
            ORDER BY u.n
            RETURNING id, device_id, counter
            """);
        insert.With("@d", alerts.Select(a => a.Frame.DeviceId).ToArray());
        insert.With("@c", alerts.Select(a => (long)a.Frame.Counter).ToArray());
        insert.With("@code", alerts.Select(a => (int)a.Frame.Code).ToArray());
        insert.With("@lat", alerts.Select(a => a.Frame.LatitudeE7).ToArray());
        insert.With("@lon", alerts.Select(a => a.Frame.LongitudeE7).ToArray());
        insert.With("@acc", alerts.Select(a => (int)a.Frame.AccuracyM).ToArray());
        insert.With("@src", alerts.Select(a => (int)a.Frame.Source).ToArray());
        insert.With("@now", alerts.Select(a => a.NowUtc).ToArray());
        var idOf = new Dictionary<(string, long), long>();
        using (DbDataReader r = insert.ExecuteReader())
        {
            while (r.Read())
            {
                idOf[(r.GetString(1), r.GetInt64(2))] = r.GetInt64(0);
            }
        }
        long[] ids = alerts.Select(a => idOf[(a.Frame.DeviceId, (long)a.Frame.Counter)]).ToArray();
        var timeline = statements.Get(tx, """
            INSERT INTO timeline (alert_id, at_utc, event, detail)
            SELECT u.a, u.t, u.e, u.x FROM unnest(@a::bigint[], @t::text[], @e::text[], @x::text[]) WITH ORDINALITY AS u(a, t, e, x, n) ORDER BY u.n
            """);
        timeline.With("@a", ids);
        timeline.With("@t", alerts.Select(a => a.NowUtc).ToArray());
        timeline.With("@e", alerts.Select(a => "received-" + a.Path).ToArray());
        timeline.With("@x", alerts.Select(a => Describe(a.Frame)).ToArray());
        timeline.ExecuteNonQuery();
        CapMessageLog.AppendMany(tx, statements, ids, CapEvent.Alert, alerts.Select(a => a.NowUtc).ToArray());
    }

    /// <summary>Applies an operator action; returns the updated alert, or null when the id is unknown.</summary>
    public AlertView? Act(long id, string action, string? responder, string operatorName)
    {
        string now = time.GetUtcNow().UtcDateTime.ToString("O");
        bool found = db.InTransaction((c, tx) =>
        {
            string? state = null;
            string? previousResponder = null;
            using (var read = Command(c, tx, "SELECT state, responder FROM alerts WHERE id = @id" + db.Dialect.LockRow))
            {
                read.With("@id", id);
                using var r = read.ExecuteReader();
                if (r.Read())
                {
                    state = r.GetString(0);
                    previousResponder = r.IsDBNull(1) ? null : r.GetString(1);
                }
            }
            if (state == null)
            {
                return false;
            }
            CapMessageLog.Adopt(c, tx, id);
            string next = action switch
            {
                "acknowledge" => state == AlertStates.New ? AlertStates.Acknowledged : state,
                "assign" => AlertStates.Assigned,
                "resolve" => AlertStates.Resolved,
                "false-alarm" => AlertStates.FalseAlarm,
                _ => throw new ArgumentException("unknown action " + action),
            };
            using (var update = Command(c, tx, "UPDATE alerts SET state = @s, responder = COALESCE(@r, responder), updated_utc = @now WHERE id = @id"))
            {
                update.With("@s", next);
                update.With("@r", responder);
                update.With("@now", now);
                update.With("@id", id);
                update.ExecuteNonQuery();
            }
            AddTimeline(c, tx, null, id, now, action, (responder != null ? "responder " + responder + "; " : "") + "by " + operatorName);
            using (var by = Command(c, tx, "UPDATE timeline SET by_name = @b WHERE id = (SELECT MAX(id) FROM timeline WHERE alert_id = @a)"))
            {
                by.With("@b", operatorName);
                by.With("@a", id);
                by.ExecuteNonQuery();
            }
            // A CAP message only for news: acknowledging an alert already assigned changes nothing outside.
            if (next != state || (responder != null && responder != previousResponder))
            {
                CapMessageLog.Append(c, tx, id, next, now);
            }
            tx.Commit();
            return true;
        });
        if (!found)
        {
            return null;
        }
        return Find(id);
    }

    /// <summary>Alerts still open (new, acknowledged or assigned).</summary>
    public long CountOpen()
    {
        using var c = db.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT COUNT(*) FROM alerts WHERE state IN ('new','acknowledged','assigned')";
        return (long)cmd.ExecuteScalar()!;
    }

    public AlertView? Find(long id) => Query("WHERE a.id = @id", ("@id", id)).FirstOrDefault();

    /// <summary>The alerts with these ids that exist, in id order: two queries however many (a feed catching up).</summary>
    public IReadOnlyList<AlertView> FindMany(IReadOnlyList<long> ids) => ids.Count == 0
        ? Array.Empty<AlertView>()
        : Query("WHERE a.id IN (" + string.Join(",", ids.Select((_, i) => "@i" + i)) + ") ORDER BY a.id", ids.Select((id, i) => ("@i" + i, (object)id)).ToArray());

    public IReadOnlyList<AlertView> Recent(int limit) => Query("ORDER BY a.id DESC LIMIT @n", ("@n", limit));

    /// <summary>The newest <paramref name="limit"/> alerts and every open alert older than those, newest first.</summary>
    public IReadOnlyList<AlertView> RecentAndOpen(int limit) => Query(
        "WHERE a.state IN ('new','acknowledged','assigned') OR a.id IN (SELECT id FROM alerts ORDER BY id DESC LIMIT @n) ORDER BY a.id DESC", ("@n", limit));

    private List<AlertView> Query(string where, params (string Name, object Value)[] parameters)
    {
        using var c = db.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT a.id, a.device_id, a.counter, a.code, a.state, a.duress, a.lat_e7, a.lon_e7, a.accuracy_m, a.source, a.responder, a.opened_utc, a.updated_utc, a.escalated_utc, a.last_counter, " +
            "d.owner_name, d.owner_phone, d.guardians, d.address, d.notes, d.language, d.kind FROM alerts a LEFT JOIN devices d ON d.id = a.device_id " + where;
        foreach (var (name, value) in parameters)
        {
            cmd.With(name, value);
        }
        var rows = new List<AlertView>();
        using (var r = cmd.ExecuteReader())
        {
            while (r.Read())
            {
                var source = (LocationSource)r.GetInt32(9);
                bool known = source != LocationSource.None;
                rows.Add(new AlertView(r.GetInt64(0), r.GetString(1), (uint)r.GetInt64(2), KindName(r.GetInt32(3)), r.GetString(4), r.GetInt32(5) == 1,
                    known ? r.GetInt32(6) / 1e7 : null, known ? r.GetInt32(7) / 1e7 : null, known && r.GetInt32(8) != Frame.Unknown16 ? r.GetInt32(8) : null,
                    SourceName(source), r.IsDBNull(10) ? null : r.GetString(10), r.GetString(11), r.GetString(12), Array.Empty<TimelineEntry>(),
                    r.IsDBNull(13) ? null : r.GetString(13),
                    r.IsDBNull(15) ? null : new AlertSubject(r.GetString(15), r.GetString(16), r.GetString(17).Length == 0 ? Array.Empty<string>() : r.GetString(17).Split(','),
                        r.GetString(18), r.GetString(19), r.GetString(20), r.GetInt32(21) == (int)DeviceKind.Wall ? "wall" : "fob"),
                    LastCounter: r.IsDBNull(14) ? null : (uint)r.GetInt64(14)));
            }
        }
        // The timelines of all rows in one query per 500 (a dashboard's reload of 1,000 alerts was 1,000 queries).
        var timelines = new Dictionary<long, List<TimelineEntry>>();
        for (int from = 0; from < rows.Count; from += 500)
        {
            var chunk = rows.Skip(from).Take(500).ToList();
            using var t = c.CreateCommand();
            t.CommandText = "SELECT alert_id, at_utc, event, detail FROM timeline WHERE alert_id IN (" + string.Join(",", chunk.Select((_, i) => "@a" + i)) + ") ORDER BY id";
            for (int i = 0; i < chunk.Count; i++)
            {
                t.With("@a" + i, chunk[i].Id);
            }
            using var r = t.ExecuteReader();
            while (r.Read())
            {
                long alertId = r.GetInt64(0);
                if (!timelines.TryGetValue(alertId, out var entries))
                {
                    timelines[alertId] = entries = new List<TimelineEntry>();
                }
                entries.Add(new TimelineEntry(r.GetString(1), r.GetString(2), r.GetString(3)));
            }
        }
        for (int i = 0; i < rows.Count; i++)
        {
            if (timelines.TryGetValue(rows[i].Id, out var entries))
            {
                rows[i] = rows[i] with { Timeline = entries };
            }
        }
        AddTrails(c, rows);
        return rows;
    }

    /// <summary>Positions an open alert's trail keeps at most (the newest).</summary>
    public const int TrailPoints = 50;

    // The trail of each open alert: its device's positioned alert and follow-up frames from the alert's own frame up to
    // the device's next alert, in counter order. Two queries per 500 devices, whatever the number of alerts.
    private static void AddTrails(DbConnection c, List<AlertView> rows)
    {
        var open = rows.Where(r => AlertStates.IsOpen(r.State)).ToList();
        var devices = open.Select(r => r.DeviceId).Distinct().ToList();
        var alertCounters = new Dictionary<string, List<long>>();
        var points = new Dictionary<string, List<(long Counter, TrailPoint Point)>>();
        for (int from = 0; from < devices.Count; from += 500)
        {
            var chunk = devices.Skip(from).Take(500).ToList();
            string inList = string.Join(",", chunk.Select((_, i) => "@d" + i));
            using (var a = c.CreateCommand())
            {
                a.CommandText = "SELECT device_id, counter FROM alerts WHERE device_id IN (" + inList + ") ORDER BY device_id, counter";
                for (int i = 0; i < chunk.Count; i++) a.With("@d" + i, chunk[i]);
                using var r = a.ExecuteReader();
                while (r.Read())
                {
                    if (!alertCounters.TryGetValue(r.GetString(0), out var list)) alertCounters[r.GetString(0)] = list = new List<long>();
                    list.Add(r.GetInt64(1));
                }
            }
            using (var f = c.CreateCommand())
            {
                f.CommandText = "SELECT device_id, counter, lat_e7, lon_e7, accuracy_m, source, received_utc FROM frames WHERE device_id IN (" + inList + ") " +
                    "AND kind IN (" + (int)MessageKind.Alert + "," + (int)MessageKind.Update + ") AND source <> " + (int)LocationSource.None +
                    " AND counter >= @min ORDER BY device_id, counter";
                for (int i = 0; i < chunk.Count; i++) f.With("@d" + i, chunk[i]);
                f.With("@min", (long)open.Where(o => chunk.Contains(o.DeviceId)).Min(o => o.Counter));
                using var r = f.ExecuteReader();
                while (r.Read())
                {
                    if (!points.TryGetValue(r.GetString(0), out var list)) points[r.GetString(0)] = list = new List<(long, TrailPoint)>();
                    int acc = r.GetInt32(4);
                    list.Add((r.GetInt64(1), new TrailPoint(r.GetInt32(2) / 1e7, r.GetInt32(3) / 1e7, acc != Frame.Unknown16 ? acc : null, r.GetString(6),
                        SourceName((LocationSource)r.GetInt32(5)))));
                }
            }
        }
        for (int i = 0; i < rows.Count; i++)
        {
            AlertView a = rows[i];
            if (!AlertStates.IsOpen(a.State) || !points.TryGetValue(a.DeviceId, out var all))
            {
                continue;
            }
            long next = alertCounters.TryGetValue(a.DeviceId, out var counters) ? counters.Where(k => k > a.Counter).DefaultIfEmpty(long.MaxValue).Min() : long.MaxValue;
            var trail = all.Where(p => p.Counter >= a.Counter && p.Counter < next).Select(p => p.Point).ToList();
            rows[i] = a with { Trail = trail.Count > TrailPoints ? trail.Skip(trail.Count - TrailPoints).ToList() : trail };
        }
    }

    private static long? LatestOpen(DbConnection c, DbTransaction tx, StatementCache? s, string deviceId)
    {
        using var lease = StatementCache.Use(s, c, tx, "SELECT id FROM alerts WHERE device_id = @d AND state IN ('new','acknowledged','assigned') ORDER BY id DESC LIMIT 1");
        DbCommand cmd = lease.Command;
        cmd.With("@d", deviceId);
        return cmd.ExecuteScalar() is long id ? id : null;
    }

    private static long? Latest(DbConnection c, DbTransaction tx, StatementCache? s, string deviceId)
    {
        using var lease = StatementCache.Use(s, c, tx, "SELECT id FROM alerts WHERE device_id = @d ORDER BY id DESC LIMIT 1");
        DbCommand cmd = lease.Command;
        cmd.With("@d", deviceId);
        return cmd.ExecuteScalar() is long id ? id : null;
    }

    /// <summary>The timeline event of a Call frame (the dashboard words them in both languages).</summary>
    public static string CallEventName(byte code) => CallReport.EventOf(code) switch
    {
        CallEvent.EmergencyConnected => "call-emergency-connected",
        CallEvent.GuardianConfirmed => "call-guardian-confirmed",
        CallEvent.NoGuardianConfirmed => "call-no-guardian-confirmed",
        CallEvent.EmergencyUnanswered => "call-emergency-unanswered",
        CallEvent.ListenedIn => "call-listened-in",
        _ => "call-" + code,
    };

    /// <summary>Who (guardian n in the device's order, or a call-back number) and when by the device's clock: the report may come much later.</summary>
    private static string CallDetail(Frame f)
    {
        int who = CallReport.WhoOf(f.Code);
        string person = who == CallReport.CallBackNumber ? "call-back number" : who > 0 ? "guardian " + who : "";
        string at = f.TimeUtcSeconds != 0 ? "device time " + DateTimeOffset.FromUnixTimeSeconds(f.TimeUtcSeconds).ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture) + "Z" : "";
        return person.Length > 0 && at.Length > 0 ? person + " · " + at : person + at;
    }

    private static List<long> AllOpen(DbConnection c, DbTransaction tx, StatementCache? s, string deviceId)
    {
        using var lease = StatementCache.Use(s, c, tx, "SELECT id FROM alerts WHERE device_id = @d AND state IN ('new','acknowledged','assigned') ORDER BY id");
        DbCommand cmd = lease.Command;
        cmd.With("@d", deviceId);
        using var r = cmd.ExecuteReader();
        var ids = new List<long>();
        while (r.Read()) ids.Add(r.GetInt64(0));
        return ids;
    }

    /// <summary>Adds to the timeline of the alert a device's frame with this counter opened (nothing when it opened none).</summary>
    internal static void AddTimelineOf(DbConnection c, DbTransaction tx, string deviceId, uint counter, string nowUtc, string evt, string detail)
    {
        long? id;
        using (var find = Command(c, tx, "SELECT id FROM alerts WHERE device_id = @d AND (counter = @c OR last_counter = @c) ORDER BY id DESC LIMIT 1"))
        {
            find.With("@d", deviceId);
            find.With("@c", (long)counter);
            id = find.ExecuteScalar() is long found ? found : null;
        }
        if (id != null)
        {
            AddTimeline(c, tx, null, id.Value, nowUtc, evt, detail);
        }
    }

    private static void AddTimeline(DbConnection c, DbTransaction tx, StatementCache? s, long alertId, string nowUtc, string evt, string detail)
    {
        using var lease = StatementCache.Use(s, c, tx, "INSERT INTO timeline (alert_id, at_utc, event, detail) VALUES (@a, @t, @e, @d)");
        DbCommand cmd = lease.Command;
        cmd.With("@a", alertId);
        cmd.With("@t", nowUtc);
        cmd.With("@e", evt);
        cmd.With("@d", detail);
        cmd.ExecuteNonQuery();
    }

    private static DbCommand Command(DbConnection c, DbTransaction tx, string sql)
    {
        var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        return cmd;
    }

    private static string Describe(Frame f) => f.Source == LocationSource.None
        ? "position unknown"
        : (f.LatitudeE7 / 1e7).ToString("F6", System.Globalization.CultureInfo.InvariantCulture) + "," + (f.LongitudeE7 / 1e7).ToString("F6", System.Globalization.CultureInfo.InvariantCulture)
          + (f.AccuracyM != Frame.Unknown16 ? " ±" + f.AccuracyM + " m" : "") + " (" + SourceName(f.Source) + ")";

    public static string KindName(int code) => (AlertCode)code switch
    {
        AlertCode.Panic => "panic",
        AlertCode.HoldUp => "hold-up",
        AlertCode.Test => "test",
        AlertCode.ButtonFault => "button-fault",
        _ => "code-" + code,
    };

    public static string SourceName(LocationSource s) => s switch
    {
        LocationSource.Gnss => "gnss",
        LocationSource.Cell => "cell",
        LocationSource.FixedAddress => "fixed-address",
        _ => "none",
    };
}
