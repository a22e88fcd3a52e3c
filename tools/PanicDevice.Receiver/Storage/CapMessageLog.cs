using System.Data.Common;
using PanicDevice.Core.Config;
using PanicDevice.Core.Protocol;

namespace PanicDevice.Receiver.Storage;

/// <summary>What a CAP message reports besides the alert's new state (<see cref="AlertStates"/>: acknowledged, assigned, resolved, false-alarm, cancelled).</summary>
internal static class CapEvent
{
    /// <summary>The alert itself: the first message.</summary>
    public const string Alert = "alert";

    /// <summary>A follow-up moved the alert's position.</summary>
    public const string Position = "position";

    /// <summary>A duress cancel: the person is coerced, the alert stays open and escalates.</summary>
    public const string Duress = "duress";
}

/// <summary>
/// One CAP message as issued: its place in the alert's sequence, what it reports, when, and the alert and its
/// device as they were at that moment (position, duress, responder; the owner's name, address and language).
/// </summary>
internal sealed record CapMessageRecord(long AlertId, int Seq, string Event, string SentUtc, string DeviceId, uint Counter, string Kind,
    bool Duress, double? Lat, double? Lon, int? AccuracyM, string Source, string? Responder,
    string OwnerName, DeviceKind DeviceKind, string Address, string Language);

/// <summary>
/// The CAP messages of every alert, one row per message, written in the same transaction as the change it
/// reports, with a copy of what it reports: a message once issued never changes, a later change is a later
/// message. Alerts stored before this table existed have no rows; their messages are reconstructed from the
/// alert row (the alert, then its current state), and recorded so before their next change.
/// </summary>
internal sealed class CapMessageLog
{
    private const string AlertColumns = """
        SELECT a.device_id, a.counter, a.code, a.state, a.duress, a.lat_e7, a.lon_e7, a.accuracy_m, a.source, a.responder, a.opened_utc, a.updated_utc,
               COALESCE(d.owner_name, ''), COALESCE(d.kind, 0), COALESCE(d.address, ''), COALESCE(d.language, 'en')
        FROM alerts a LEFT JOIN devices d ON d.id = a.device_id WHERE a.id = @id
        """;

    private readonly ReceiverDatabase db;

    public CapMessageLog(ReceiverDatabase db) => this.db = db;

    /// <summary>
    /// Records the message for <paramref name="evt"/>, sent at <paramref name="sentUtc"/>, as the next one of alert
    /// <paramref name="alertId"/>, copying the alert row and its device as they are now. Call after the change is
    /// written to the alert row: on PostgreSQL that write holds the row lock, so two writers never take one number.
    /// </summary>
    public static void Append(DbConnection c, DbTransaction tx, long alertId, string evt, string sentUtc, StatementCache? statements = null)
    {
        using var lease = StatementCache.Use(statements, c, tx, """
            INSERT INTO cap_messages (alert_id, seq, event, sent_utc, duress, lat_e7, lon_e7, accuracy_m, source, responder, owner_name, device_kind, address, language)
            SELECT a.id, (SELECT COALESCE(MAX(m.seq), 0) + 1 FROM cap_messages m WHERE m.alert_id = a.id), @e, @t, a.duress, a.lat_e7, a.lon_e7, a.accuracy_m, a.source, a.responder,
                   COALESCE(d.owner_name, ''), COALESCE(d.kind, 0), COALESCE(d.address, ''), COALESCE(d.language, 'en')
            FROM alerts a LEFT JOIN devices d ON d.id = a.device_id WHERE a.id = @id
            """);
        DbCommand cmd = lease.Command;
        cmd.With("@e", evt);
        cmd.With("@t", sentUtc);
        cmd.With("@id", alertId);
        cmd.ExecuteNonQuery();
    }

    /// <summary><see cref="Append"/> for many alerts in one statement, each sent at its own time (PostgreSQL: arrays).</summary>
    public static void AppendMany(DbTransaction tx, StatementCache statements, long[] alertIds, string evt, string[] sentUtc)
    {
        var cmd = statements.Get(tx, """
            INSERT INTO cap_messages (alert_id, seq, event, sent_utc, duress, lat_e7, lon_e7, accuracy_m, source, responder, owner_name, device_kind, address, language)
            SELECT a.id, (SELECT COALESCE(MAX(m.seq), 0) + 1 FROM cap_messages m WHERE m.alert_id = a.id), @e, u.t, a.duress, a.lat_e7, a.lon_e7, a.accuracy_m, a.source, a.responder,
                   COALESCE(d.owner_name, ''), COALESCE(d.kind, 0), COALESCE(d.address, ''), COALESCE(d.language, 'en')
            FROM unnest(@ids::bigint[], @t::text[]) AS u(id, t) JOIN alerts a ON a.id = u.id LEFT JOIN devices d ON d.id = a.device_id
            """);
        cmd.With("@e", evt);
        cmd.With("@ids", alertIds);
        cmd.With("@t", sentUtc);
        cmd.ExecuteNonQuery();
    }

    /// <summary>
    /// For an alert stored before messages were recorded: records the messages it has had so far (as
    /// <see cref="For"/> reconstructs them), so the change about to be written is numbered after them. Call before
    /// writing the change; does nothing for an alert that has messages.
    /// </summary>
    public static void Adopt(DbConnection c, DbTransaction tx, long alertId, StatementCache? statements = null)
    {
        using (var lease = StatementCache.Use(statements, c, tx, "SELECT COUNT(*) FROM cap_messages WHERE alert_id = @id"))
        {
            DbCommand count = lease.Command;
            count.With("@id", alertId);
            if (Convert.ToInt64(count.ExecuteScalar()) > 0)
            {
                return;
            }
        }
        foreach (CapMessageRecord m in Reconstruct(c, tx, alertId))
        {
            // Another writer adopting the same alert at once writes the same rows: keep either.
            using var insert = ReceiverDatabase.Command(c, tx, """
                INSERT INTO cap_messages (alert_id, seq, event, sent_utc, duress, lat_e7, lon_e7, accuracy_m, source, responder, owner_name, device_kind, address, language)
                SELECT @id, @seq, @e, @t, @duress, a.lat_e7, a.lon_e7, a.accuracy_m, a.source, @resp, @on, @dk, @addr, @lang FROM alerts a WHERE a.id = @id
                ON CONFLICT (alert_id, seq) DO NOTHING
                """);
            insert.With("@id", alertId);
            insert.With("@seq", m.Seq);
            insert.With("@e", m.Event);
            insert.With("@t", m.SentUtc);
            insert.With("@duress", m.Duress ? 1 : 0);
            insert.With("@resp", m.Responder);
            insert.With("@on", m.OwnerName);
            insert.With("@dk", (int)m.DeviceKind);
            insert.With("@addr", m.Address);
            insert.With("@lang", m.Language);
            insert.ExecuteNonQuery();
        }
    }

    /// <summary>The messages of alert <paramref name="alertId"/> in the order they were issued; empty when there is no such alert.</summary>
    public IReadOnlyList<CapMessageRecord> For(long alertId)
    {
        using var c = db.Open();
        DbTransaction? tx = null; // a read: no transaction, which on SQLite would take the write lock
        var header = ReadAlert(c, tx, alertId);
        if (header == null)
        {
            return Array.Empty<CapMessageRecord>();
        }
        var messages = new List<CapMessageRecord>();
        using (var cmd = ReceiverDatabase.Command(c, tx, """
            SELECT seq, event, sent_utc, duress, lat_e7, lon_e7, accuracy_m, source, responder, owner_name, device_kind, address, language
            FROM cap_messages WHERE alert_id = @id ORDER BY seq
            """))
        {
            cmd.With("@id", alertId);
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                messages.Add(Record(header, r.GetInt32(0), r.GetString(1), r.GetString(2), r.GetInt32(3) == 1, r.GetInt32(4), r.GetInt32(5), r.GetInt32(6), r.GetInt32(7),
                    r.IsDBNull(8) ? null : r.GetString(8), r.GetString(9), r.GetInt32(10), r.GetString(11), r.GetString(12)));
            }
        }
        return messages.Count > 0 ? messages : Reconstruct(header);
    }

    private static List<CapMessageRecord> Reconstruct(DbConnection c, DbTransaction tx, long alertId) =>
        ReadAlert(c, tx, alertId) is { } header ? Reconstruct(header) : new List<CapMessageRecord>();

    // The alert as first received (its position is the latest known: older ones were not kept), then, if it has
    // changed since, one message for its state now, sent when it last changed.
    private static List<CapMessageRecord> Reconstruct(AlertRow a)
    {
        var list = new List<CapMessageRecord> { Record(a, 1, CapEvent.Alert, a.OpenedUtc, false, a.LatE7, a.LonE7, a.AccuracyM, a.Source, null, a.OwnerName, a.DeviceKind, a.Address, a.Language) };
        string? now = a.State switch
        {
            AlertStates.New or AlertStates.Acknowledged or AlertStates.Assigned when a.Duress => CapEvent.Duress,
            AlertStates.New => null,
            _ => a.State,
        };
        if (now != null)
        {
            list.Add(Record(a, 2, now, a.UpdatedUtc, a.Duress, a.LatE7, a.LonE7, a.AccuracyM, a.Source, a.Responder, a.OwnerName, a.DeviceKind, a.Address, a.Language));
        }
        return list;
    }

    private sealed record AlertRow(long Id, string DeviceId, uint Counter, int Code, string State, bool Duress, int LatE7, int LonE7, int AccuracyM, int Source,
        string? Responder, string OpenedUtc, string UpdatedUtc, string OwnerName, int DeviceKind, string Address, string Language);

    private static AlertRow? ReadAlert(DbConnection c, DbTransaction? tx, long alertId)
    {
        using var cmd = ReceiverDatabase.Command(c, tx, AlertColumns);
        cmd.With("@id", alertId);
        using var r = cmd.ExecuteReader();
        if (!r.Read())
        {
            return null;
        }
        return new AlertRow(alertId, r.GetString(0), (uint)r.GetInt64(1), r.GetInt32(2), r.GetString(3), r.GetInt32(4) == 1, r.GetInt32(5), r.GetInt32(6), r.GetInt32(7), r.GetInt32(8),
            r.IsDBNull(9) ? null : r.GetString(9), r.GetString(10), r.GetString(11), r.GetString(12), r.GetInt32(13), r.GetString(14), r.GetString(15));
    }

    private static CapMessageRecord Record(AlertRow a, int seq, string evt, string sentUtc, bool duress, int latE7, int lonE7, int accuracyM, int source,
        string? responder, string ownerName, int deviceKind, string address, string language)
    {
        bool known = (LocationSource)source != LocationSource.None;
        return new CapMessageRecord(a.Id, seq, evt, sentUtc, a.DeviceId, a.Counter, AlertBook.KindName(a.Code), duress,
            known ? latE7 / 1e7 : null, known ? lonE7 / 1e7 : null, known && accuracyM != Frame.Unknown16 ? accuracyM : null,
            AlertBook.SourceName((LocationSource)source), responder, ownerName, (DeviceKind)deviceKind, address, language);
    }
}
