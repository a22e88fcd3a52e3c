using System.Data.Common;
using PanicDevice.Core.Config;
using PanicDevice.Core.Protocol;
using PanicDevice.Receiver.Storage;

namespace PanicDevice.Receiver.Registry;

/// <summary>Registered devices in the receiver's database. Keys go in and are used, never listed.</summary>
public sealed class DeviceRegistry
{
    private readonly ReceiverDatabase db;

    public DeviceRegistry(ReceiverDatabase db) => this.db = db;

    /// <summary>
    /// Adds or replaces a device, with no questions asked: for tests and benchmarks that set up a store. Provisioning
    /// goes through <see cref="Add"/> and <see cref="Rekey"/>, because replacing a key in use silences that device.
    /// </summary>
    public void Upsert(DeviceRecord d)
    {
        CheckId(d);
        using var c = db.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = Insert + """
             ON CONFLICT(id) DO UPDATE SET
              replay_window = CASE WHEN devices.key = excluded.key THEN devices.replay_window ELSE NULL END,
              key = excluded.key, kind = excluded.kind, owner_name = excluded.owner_name, owner_phone = excluded.owner_phone,
              verified = excluded.verified, enabled = excluded.enabled, guardians = excluded.guardians, address = excluded.address,
              lat_e7 = excluded.lat_e7, lon_e7 = excluded.lon_e7, heartbeat_interval_s = excluded.heartbeat_interval_s,
              language = excluded.language
            """;
        Bind(cmd, d);
        cmd.ExecuteNonQuery();
    }

    /// <summary>
    /// Registers a new device; false, with nothing changed, when the id exists. Provisioning an id again by mistake
    /// would replace the key of the device that has it, and that device's alerts would be refused from then on.
    /// </summary>
    public bool Add(DeviceRecord d)
    {
        CheckId(d);
        using var c = db.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = Insert + " ON CONFLICT(id) DO NOTHING";
        Bind(cmd, d);
        return cmd.ExecuteNonQuery() == 1;
    }

    /// <summary>
    /// Gives an existing device a new key (and the profile sent with it) and records who did it, in one transaction;
    /// false, with nothing changed, when there is no such device. The anti-replay window starts again with the new key.
    /// </summary>
    public bool Rekey(DeviceRecord d, string by, DateTimeOffset at)
    {
        CheckId(d);
        return db.InTransaction((c, tx) =>
        {
            using var cmd = ReceiverDatabase.Command(c, tx, """
                UPDATE devices SET replay_window = NULL, enabled = @e,
                  key = @key, kind = @kind, owner_name = @on, owner_phone = @op, verified = @v, guardians = @g, address = @a,
                  lat_e7 = @lat, lon_e7 = @lon, heartbeat_interval_s = @hb, language = @lang
                WHERE id = @id
                """);
            Bind(cmd, d);
            if (cmd.ExecuteNonQuery() != 1)
            {
                tx.Rollback();
                return false;
            }
            DeviceEventBook.Record(c, tx, d.Id, DeviceEventBook.Rekeyed, by, "", at);
            tx.Commit();
            return true;
        });
    }

    private const string Insert = """
        INSERT INTO devices (id, key, kind, owner_name, owner_phone, verified, enabled, guardians, address, lat_e7, lon_e7, heartbeat_interval_s, language)
        VALUES (@id, @key, @kind, @on, @op, @v, @e, @g, @a, @lat, @lon, @hb, @lang)
        """;

    // An id outside the rule (DeviceIds) is an ArgumentException: the registry never takes one its routes could not address.
    private static void CheckId(DeviceRecord d)
    {
        if (DeviceIds.Problem(d.Id) is { } problem)
        {
            throw new ArgumentException("device id " + problem);
        }
    }

    private static void Bind(DbCommand cmd, DeviceRecord d)
    {
        cmd.With("@id", d.Id);
        cmd.With("@key", d.Key.Reveal());
        cmd.With("@kind", (int)d.Kind);
        cmd.With("@on", d.OwnerName);
        cmd.With("@op", d.OwnerPhone);
        cmd.With("@v", d.Verified ? 1 : 0);
        cmd.With("@e", d.Enabled ? 1 : 0);
        cmd.With("@g", string.Join(",", d.Guardians));
        cmd.With("@a", d.Address);
        cmd.With("@lat", (object?)d.LatitudeE7 ?? DBNull.Value);
        cmd.With("@lon", (object?)d.LongitudeE7 ?? DBNull.Value);
        cmd.With("@hb", d.HeartbeatIntervalS);
        cmd.With("@lang", d.Language);
    }

    /// <summary>Disables a device: its frames are rejected from now on (its history stays).</summary>
    public bool Revoke(string id)
    {
        using var c = db.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "UPDATE devices SET enabled = 0 WHERE id = @id";
        cmd.With("@id", id);
        return cmd.ExecuteNonQuery() == 1;
    }

    public DeviceRecord? Find(string id)
    {
        using var c = db.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT id, key, kind, owner_name, owner_phone, verified, enabled, guardians, address, lat_e7, lon_e7, heartbeat_interval_s, language FROM devices WHERE id = @id";
        cmd.With("@id", id);
        using var r = cmd.ExecuteReader();
        return r.Read() ? Read(r) : null;
    }

    public IReadOnlyList<DeviceRecord> All()
    {
        using var c = db.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT id, key, kind, owner_name, owner_phone, verified, enabled, guardians, address, lat_e7, lon_e7, heartbeat_interval_s, language FROM devices ORDER BY id";
        using var r = cmd.ExecuteReader();
        var list = new List<DeviceRecord>();
        while (r.Read()) list.Add(Read(r));
        return list;
    }

    private static DeviceRecord Read(DbDataReader r) => new()
    {
        Id = r.GetString(0),
        Key = new DeviceKey((byte[])r[1]),
        Kind = (DeviceKind)r.GetInt32(2),
        OwnerName = r.GetString(3),
        OwnerPhone = r.GetString(4),
        Verified = r.GetInt32(5) == 1,
        Enabled = r.GetInt32(6) == 1,
        Guardians = r.GetString(7).Length == 0 ? Array.Empty<string>() : r.GetString(7).Split(','),
        Address = r.GetString(8),
        LatitudeE7 = r.IsDBNull(9) ? null : r.GetInt32(9),
        LongitudeE7 = r.IsDBNull(10) ? null : r.GetInt32(10),
        HeartbeatIntervalS = r.GetInt32(11),
        Language = r.GetString(12),
    };
}
