using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using PanicDevice.Core.Protocol;
using PanicDevice.Receiver.Registry;
using PanicDevice.Receiver.Storage;

namespace PanicDevice.Receiver.Guardians;

/// <summary>What a guardian's link leads to.</summary>
internal enum GuardianLinkOutcome
{
    /// <summary>No such device, or the token is not the device's for that press: nothing is said about which.</summary>
    NotFound,
    /// <summary>A genuine link whose press has not reached the receiver yet (it went by SMS while the data path was down).</summary>
    Waiting,
    /// <summary>The alert closed longer ago than the links live.</summary>
    Expired,
    /// <summary>An operator withdrew the alert's guardian links.</summary>
    Revoked,
    /// <summary>The alert, to be shown.</summary>
    Found,
}

/// <summary>
/// Checks guardian links (<see cref="GuardianLink"/>) against the device's key and finds the one alert a link shows: the
/// alert the press with that counter opened or joined. A link is good while its alert is open and for
/// <see cref="LifetimeAfterClose"/> after it closed, unless an operator withdrew it (recorded on the alert and in its timeline).
/// </summary>
internal sealed class GuardianLinkBook(ReceiverDatabase db, DeviceRegistry registry, AlertBook alerts, TimeSpan lifetimeAfterClose)
{
    public TimeSpan LifetimeAfterClose => lifetimeAfterClose;

    public (GuardianLinkOutcome Outcome, AlertView? Alert, string Language) Resolve(string deviceId, uint counter, string token, DateTime nowUtc)
    {
        if (DeviceIds.Problem(deviceId) != null || token.Length != GuardianLink.TokenLength || registry.Find(deviceId) is not { } device)
        {
            return (GuardianLinkOutcome.NotFound, null, "en");
        }
        byte[] key = device.Key.Reveal();
        try
        {
            byte[] expected = Encoding.ASCII.GetBytes(GuardianLink.Token(key, deviceId, counter));
            if (!CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(token)))
            {
                return (GuardianLinkOutcome.NotFound, null, "en");
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
        long? id;
        string? revoked;
        using (DbConnection c = db.Open())
        {
            (id, revoked) = AlertOf(c, deviceId, counter);
        }
        if (id == null)
        {
            return (GuardianLinkOutcome.Waiting, null, device.Language);
        }
        if (revoked != null)
        {
            return (GuardianLinkOutcome.Revoked, null, device.Language);
        }
        AlertView? alert = alerts.Find(id.Value);
        if (alert == null)
        {
            return (GuardianLinkOutcome.Waiting, null, device.Language);
        }
        if (!AlertStates.IsOpen(alert.State) && DateTime.Parse(alert.UpdatedUtc, null, System.Globalization.DateTimeStyles.AdjustToUniversal) + lifetimeAfterClose < nowUtc)
        {
            return (GuardianLinkOutcome.Expired, null, device.Language);
        }
        return (GuardianLinkOutcome.Found, alert, device.Language);
    }

    /// <summary>Withdraws every guardian link of the alert; false when there is no such alert.</summary>
    public bool Revoke(long alertId, string byName, DateTime nowUtc)
    {
        string now = nowUtc.ToString("O");
        using DbConnection c = db.Open();
        using DbTransaction tx = c.BeginTransaction();
        using (var update = Command(c, tx, "UPDATE alerts SET guardian_link_revoked_utc = COALESCE(guardian_link_revoked_utc, @now), updated_utc = @now WHERE id = @id"))
        {
            update.With("@now", now);
            update.With("@id", alertId);
            if (update.ExecuteNonQuery() == 0)
            {
                return false;
            }
        }
        using (var entry = Command(c, tx, "INSERT INTO timeline (alert_id, at_utc, event, detail, by_name) VALUES (@a, @t, 'guardian-link-revoked', @d, @b)"))
        {
            entry.With("@a", alertId);
            entry.With("@t", now);
            entry.With("@d", "by " + byName);
            entry.With("@b", byName);
            entry.ExecuteNonQuery();
        }
        tx.Commit();
        return true;
    }

    /// <summary>
    /// The alert that press <paramref name="counter"/> opened or joined: only once its alert frame is stored (a link must never
    /// show an earlier emergency while its own press is still on the way), then the device's latest alert opened at or before it.
    /// </summary>
    private static (long? Id, string? Revoked) AlertOf(DbConnection c, string deviceId, uint counter)
    {
        using (var stored = Command(c, null, "SELECT COUNT(*) FROM frames WHERE device_id = @d AND counter = @c AND kind = @k"))
        {
            stored.With("@d", deviceId);
            stored.With("@c", (long)counter);
            stored.With("@k", (int)MessageKind.Alert);
            if (Convert.ToInt64(stored.ExecuteScalar()) == 0)
            {
                return (null, null);
            }
        }
        using var find = Command(c, null, "SELECT id, guardian_link_revoked_utc FROM alerts WHERE device_id = @d AND counter <= @c ORDER BY counter DESC, id DESC LIMIT 1");
        find.With("@d", deviceId);
        find.With("@c", (long)counter);
        using var r = find.ExecuteReader();
        return r.Read() ? (r.GetInt64(0), r.IsDBNull(1) ? null : r.GetString(1)) : (null, null);
    }

    private static DbCommand Command(DbConnection c, DbTransaction? tx, string sql)
    {
        var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        return cmd;
    }
}
