using System.Data.Common;
using PanicDevice.Core.Config;
using PanicDevice.Core.Protocol;
using PanicDevice.Receiver.Storage;

namespace PanicDevice.Receiver.Registry;

/// <summary>Registered devices in the receiver's database. Keys go in and are used, never listed.</summary>
internal sealed class DeviceRegistry
{
    private readonly ReceiverDatabase db;
    private readonly DeviceKeyVault? vault;

    /// <param name="vault">Encrypts keys at rest (the receiver always has one); without it keys are stored as they are
    /// (tests and benchmarks that make a throwaway store), and an encrypted key cannot be read.</param>
    public DeviceRegistry(ReceiverDatabase db, DeviceKeyVault? vault = null)
    {
        this.db = db;
        this.vault = vault;
    }

    /// <summary>
    /// Whether the store is bound to a storage key (a receiver sealed keys in it, or recorded its key's check value):
    /// then only that key file will do, and a missing one must not be replaced by a new one.
    /// </summary>
    public bool IsBoundToAKey()
    {
        using var c = db.Open();
        using var cmd = ReceiverDatabase.Command(c, null, "SELECT (SELECT COUNT(*) FROM devices WHERE length(key) <> 32) + (SELECT COUNT(*) FROM store_keys)");
        return Convert.ToInt64(cmd.ExecuteScalar()) > 0;
    }

    /// <summary>
    /// Binds the store to this registry's key file, or checks it is the one the store is bound to: a
    /// <see cref="KeyFileException"/> at start when not. Receivers sharing one store (PostgreSQL) must share the key file,
    /// and this finds out before the first device is provisioned, not at its first frame.
    /// </summary>
    public void CheckVault()
    {
        if (vault == null)
        {
            return;
        }
        db.InTransaction((c, tx) =>
        {
            using (var claim = ReceiverDatabase.Command(c, tx, "INSERT INTO store_keys (name, check_value) VALUES ('device-keys', @v) ON CONFLICT (name) DO NOTHING"))
            {
                claim.With("@v", vault.CheckValue());
                claim.ExecuteNonQuery();
            }
            using var read = ReceiverDatabase.Command(c, tx, "SELECT check_value FROM store_keys WHERE name = 'device-keys'");
            byte[] bound = (byte[])read.ExecuteScalar()!;
            if (!System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(bound, vault.CheckValue()))
            {
                throw new KeyFileException("the key file is not the one this store's device keys are encrypted with: give every receiver of one store " +
                    "the same --key-file, or restore this store's key file from its backup (docs/security.md, \"Backup and restore\")");
            }
            tx.Commit();
            return 0;
        });
        using var c = db.Open();
        using var cmd = ReceiverDatabase.Command(c, null, "SELECT id, key FROM devices WHERE length(key) <> 32 ORDER BY id LIMIT 1");
        using var r = cmd.ExecuteReader();
        if (r.Read())
        {
            OpenKey(r.GetString(0), (byte[])r[1]);
        }
    }

    /// <summary>
    /// Encrypts every key stored in plaintext (a store from before encryption at rest); returns how many. On SQLite the
    /// old bytes are overwritten (secure_delete) and the write-ahead log is emptied, so no plaintext key stays in the files.
    /// </summary>
    public int SealPlaintextKeys()
    {
        if (vault == null)
        {
            return 0;
        }
        int count = db.InTransaction((c, tx) =>
        {
            if (db.Dialect is SqliteDialect)
            {
                ReceiverDatabase.Execute(c, "PRAGMA secure_delete = ON", tx);
            }
            var plain = new List<(string Id, byte[] Key)>();
            using (var select = ReceiverDatabase.Command(c, tx, "SELECT id, key FROM devices WHERE length(key) = 32"))
            using (var r = select.ExecuteReader())
            {
                while (r.Read()) plain.Add((r.GetString(0), (byte[])r[1]));
            }
            foreach (var (id, key) in plain)
            {
                using var update = ReceiverDatabase.Command(c, tx, "UPDATE devices SET key = @k WHERE id = @id");
                update.With("@k", vault.Seal(id, key));
                update.With("@id", id);
                update.ExecuteNonQuery();
            }
            tx.Commit();
            return plain.Count;
        });
        if (count > 0 && db.Dialect is SqliteDialect)
        {
            using var c = db.Open();
            ReceiverDatabase.Execute(c, "PRAGMA secure_delete = ON; VACUUM; PRAGMA wal_checkpoint(TRUNCATE);");
        }
        return count;
    }

    private byte[] StoredKey(DeviceRecord d) => vault == null ? d.Key.Reveal() : vault.Seal(d.Id, d.Key.Reveal());

    private byte[] OpenKey(string id, byte[] stored)
    {
        if (stored.Length == 32)
        {
            return stored;
        }
        return vault?.Open(id, stored) ?? throw new KeyFileException("the stored key of device " + id + " is encrypted and this registry has no key file");
    }

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
              language = excluded.language, notes = excluded.notes
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
                  lat_e7 = @lat, lon_e7 = @lon, heartbeat_interval_s = @hb, language = @lang, notes = @notes
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

    /// <summary>
    /// Replaces who and where a device is for (name, phone, guardians, address, notes, language), never its key, kind or
    /// position, and records who did it and which fields changed, in one transaction; false when there is no such device.
    /// </summary>
    public bool UpdateProfile(string id, DeviceProfile p, string by, DateTimeOffset at)
    {
        return db.InTransaction((c, tx) =>
        {
            DeviceProfile? before;
            using (var find = ReceiverDatabase.Command(c, tx, "SELECT owner_name, owner_phone, guardians, address, notes, language FROM devices WHERE id = @id"))
            {
                find.With("@id", id);
                using var r = find.ExecuteReader();
                before = r.Read()
                    ? new DeviceProfile(r.GetString(0), r.GetString(1), r.GetString(2).Length == 0 ? Array.Empty<string>() : r.GetString(2).Split(','),
                        r.GetString(3), r.GetString(4), r.GetString(5))
                    : null;
            }
            if (before == null)
            {
                return false;
            }
            using (var cmd = ReceiverDatabase.Command(c, tx,
                "UPDATE devices SET owner_name = @on, owner_phone = @op, guardians = @g, address = @a, notes = @notes, language = @lang WHERE id = @id"))
            {
                cmd.With("@on", p.OwnerName);
                cmd.With("@op", p.OwnerPhone);
                cmd.With("@g", string.Join(",", p.Guardians));
                cmd.With("@a", p.Address);
                cmd.With("@notes", p.Notes);
                cmd.With("@lang", p.Language);
                cmd.With("@id", id);
                cmd.ExecuteNonQuery();
            }
            // The audit names the fields, not their values: a phone number or a medical note stays in one place.
            var changed = new List<string>();
            if (before.OwnerName != p.OwnerName) changed.Add("ownerName");
            if (before.OwnerPhone != p.OwnerPhone) changed.Add("ownerPhone");
            if (!before.Guardians.SequenceEqual(p.Guardians)) changed.Add("guardians");
            if (before.Address != p.Address) changed.Add("address");
            if (before.Notes != p.Notes) changed.Add("notes");
            if (before.Language != p.Language) changed.Add("language");
            DeviceEventBook.Record(c, tx, id, DeviceEventBook.ProfileChanged, by, string.Join(", ", changed), at);
            tx.Commit();
            return true;
        });
    }

    private const string Insert = """
        INSERT INTO devices (id, key, kind, owner_name, owner_phone, verified, enabled, guardians, address, lat_e7, lon_e7, heartbeat_interval_s, language, notes)
        VALUES (@id, @key, @kind, @on, @op, @v, @e, @g, @a, @lat, @lon, @hb, @lang, @notes)
        """;

    // An id outside the rule (DeviceIds) is an ArgumentException: the registry never takes one its routes could not address.
    private static void CheckId(DeviceRecord d)
    {
        if (DeviceIds.Problem(d.Id) is { } problem)
        {
            throw new ArgumentException("device id " + problem);
        }
    }

    private void Bind(DbCommand cmd, DeviceRecord d)
    {
        cmd.With("@id", d.Id);
        cmd.With("@key", StoredKey(d));
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
        cmd.With("@notes", d.Notes);
    }

    /// <summary>
    /// What each device last told the receiver (from its stored frames): when, its battery and signal, and the path of
    /// its newest frame; for operators listing devices. All devices, or the one with <paramref name="id"/>.
    /// </summary>
    public IReadOnlyDictionary<string, DeviceActivity> Activity(string? id = null)
    {
        using var c = db.Open();
        using var cmd = ReceiverDatabase.Command(c, null,
            "SELECT d.id, d.last_seen_utc, d.battery, d.signal_dbm, (SELECT f.path FROM frames f WHERE f.device_id = d.id ORDER BY f.counter DESC LIMIT 1), " +
            "(SELECT f.flags FROM frames f WHERE f.device_id = d.id ORDER BY f.counter DESC LIMIT 1) " +
            "FROM devices d" + (id == null ? "" : " WHERE d.id = @id"));
        if (id != null)
        {
            cmd.With("@id", id);
        }
        using var r = cmd.ExecuteReader();
        var all = new Dictionary<string, DeviceActivity>();
        while (r.Read())
        {
            all[r.GetString(0)] = new DeviceActivity(
                r.IsDBNull(1) ? null : r.GetString(1),
                r.IsDBNull(2) || r.GetInt32(2) > 100 ? null : r.GetInt32(2), // 255: the device did not know
                r.IsDBNull(3) || r.GetInt32(3) == 0 ? null : r.GetInt32(3),
                r.IsDBNull(4) ? null : r.GetString(4),
                r.IsDBNull(5) ? null : (byte)r.GetInt32(5));
        }
        return all;
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
        cmd.CommandText = "SELECT id, key, kind, owner_name, owner_phone, verified, enabled, guardians, address, lat_e7, lon_e7, heartbeat_interval_s, language, notes FROM devices WHERE id = @id";
        cmd.With("@id", id);
        using var r = cmd.ExecuteReader();
        return r.Read() ? Read(r) : null;
    }

    public IReadOnlyList<DeviceRecord> All()
    {
        using var c = db.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT id, key, kind, owner_name, owner_phone, verified, enabled, guardians, address, lat_e7, lon_e7, heartbeat_interval_s, language, notes FROM devices ORDER BY id";
        using var r = cmd.ExecuteReader();
        var list = new List<DeviceRecord>();
        while (r.Read()) list.Add(Read(r));
        return list;
    }

    private DeviceRecord Read(DbDataReader r) => new()
    {
        Id = r.GetString(0),
        Key = new DeviceKey(OpenKey(r.GetString(0), (byte[])r[1])),
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
        Notes = r.GetString(13),
    };
}

/// <summary>What a device last told the receiver; null where it never said.</summary>
internal sealed record DeviceActivity(string? LastSeenUtc, int? BatteryPercent, int? SignalDbm, string? LastPath, byte? LastFlags = null);
