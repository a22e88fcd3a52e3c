using System.Data.Common;
using PanicDevice.Receiver.Storage;

namespace PanicDevice.Receiver.Registry;

/// <summary>A change to a device's registration, as operators see it: never the key, only that it changed, when and by whom.</summary>
internal sealed record DeviceEventView(long Id, string DeviceId, string Event, string By, string Detail, string AtUtc);

/// <summary>
/// The audit trail of registrations that change what a device can do: a re-key silences the device until it is flashed
/// with the new key, so operators must be able to see that it happened, when, and who asked for it.
/// </summary>
internal sealed class DeviceEventBook
{
    /// <summary>The device was given a new key (provisioning with an explicit re-key).</summary>
    public const string Rekeyed = "rekey";

    /// <summary>Who or where the device is for changed (name, phone, guardians, address, notes, language); the detail names the fields.</summary>
    public const string ProfileChanged = "profile";

    private readonly ReceiverDatabase db;

    public DeviceEventBook(ReceiverDatabase db) => this.db = db;

    /// <summary>Records an event in the caller's transaction, so it exists exactly when the change does.</summary>
    internal static void Record(DbConnection c, DbTransaction tx, string deviceId, string ev, string by, string detail, DateTimeOffset at)
    {
        using var cmd = ReceiverDatabase.Command(c, tx, "INSERT INTO device_events (device_id, event, by_name, detail, at_utc) VALUES (@d, @e, @b, @x, @at)");
        cmd.With("@d", deviceId);
        cmd.With("@e", ev);
        cmd.With("@b", by);
        cmd.With("@x", detail);
        cmd.With("@at", at.UtcDateTime.ToString("O"));
        cmd.ExecuteNonQuery();
    }

    /// <summary>The newest events first, all devices or one.</summary>
    public IReadOnlyList<DeviceEventView> Recent(int limit, string? deviceId = null)
    {
        using var c = db.Open();
        using var cmd = ReceiverDatabase.Command(c, null,
            "SELECT id, device_id, event, by_name, detail, at_utc FROM device_events" + (deviceId == null ? "" : " WHERE device_id = @d") + " ORDER BY id DESC LIMIT @n");
        if (deviceId != null)
        {
            cmd.With("@d", deviceId);
        }
        cmd.With("@n", limit);
        using var r = cmd.ExecuteReader();
        var list = new List<DeviceEventView>();
        while (r.Read())
        {
            list.Add(new DeviceEventView(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5)));
        }
        return list;
    }
}
