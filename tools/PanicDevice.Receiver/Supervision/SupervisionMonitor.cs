using System.Globalization;
using PanicDevice.Receiver.Dispatch;
using PanicDevice.Receiver.Storage;

namespace PanicDevice.Receiver.Supervision;

/// <summary>An open or cleared supervision event.</summary>
internal sealed record SupervisionEvent(long Id, string DeviceId, string Event, string Detail, string RaisedUtc, string? ClearedUtc);

/// <summary>
/// Supervision (EN 50136-style): a device that has not been heard from for longer than its heartbeat
/// interval (plus a grace for a late heartbeat) raises "device-silent"; a battery at or under the low
/// threshold raises "low-battery". Each is raised once and cleared when the device recovers, so an
/// operator sees one event per problem, not one per check, and not one per receiver either: a unique
/// index on the open event (supervision_one_open) lets only the first of several receivers raise it. Any frame counts as a sign of life.
/// </summary>
internal sealed class SupervisionMonitor
{
    public const int LowBatteryPercent = 20;

    public const string DeviceSilent = "device-silent";
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(60);

    private readonly ReceiverDatabase db;
    private readonly TimeProvider time;

    public SupervisionMonitor(ReceiverDatabase db, TimeProvider time)
    {
        this.db = db;
        this.time = time;
    }

    /// <summary>Raises and clears events for every enabled device; returns how many were raised.</summary>
    public int Check()
    {
        DateTime now = time.GetUtcNow().UtcDateTime;
        int raised = 0;
        using var c = db.Open();
        var devices = new List<(string Id, DateTime Since, int IntervalS, int? Battery)>();
        using (var cmd = c.CreateCommand())
        {
            cmd.CommandText = "SELECT id, COALESCE(last_seen_utc, provisioned_utc), heartbeat_interval_s, battery FROM devices WHERE enabled = 1";
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                devices.Add((r.GetString(0), DateTime.Parse(r.GetString(1), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal),
                    r.GetInt32(2), r.IsDBNull(3) ? null : r.GetInt32(3)));
            }
        }
        foreach (var d in devices)
        {
            bool silent = now - d.Since > TimeSpan.FromSeconds(d.IntervalS) + Grace;
            raised += Set(d.Id, DeviceSilent, silent, "no message since " + d.Since.ToString("O"), now);
            bool low = d.Battery is int b && b <= LowBatteryPercent;
            raised += Set(d.Id, "low-battery", low, "battery " + d.Battery + " %", now);
        }
        return raised;
    }

    public IReadOnlyList<SupervisionEvent> Open()
    {
        using var c = db.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT id, device_id, event, detail, raised_utc, cleared_utc FROM supervision WHERE cleared_utc IS NULL ORDER BY id";
        using var r = cmd.ExecuteReader();
        var list = new List<SupervisionEvent>();
        while (r.Read())
        {
            list.Add(new SupervisionEvent(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.IsDBNull(5) ? null : r.GetString(5)));
        }
        return list;
    }

    private int Set(string deviceId, string evt, bool active, string detail, DateTime now)
    {
        return db.InTransaction((c, tx) =>
        {
            int n;
            using (var cmd = ReceiverDatabase.Command(c, tx, active
                ? """
                  INSERT INTO supervision (device_id, event, detail, raised_utc) VALUES (@d, @e, @detail, @now)
                  ON CONFLICT (device_id, event) WHERE cleared_utc IS NULL DO NOTHING
                  """
                : "UPDATE supervision SET cleared_utc = @now WHERE device_id = @d AND event = @e AND cleared_utc IS NULL"))
            {
                cmd.With("@d", deviceId);
                cmd.With("@e", evt);
                cmd.With("@detail", detail);
                cmd.With("@now", now.ToString("O"));
                n = cmd.ExecuteNonQuery();
            }
            if (n > 0 && evt == DeviceSilent)
            {
                Enqueue(c, tx, deviceId, active ? QueuedEvent.SilentRaised : QueuedEvent.SilentCleared, now);
            }
            tx.Commit();
            return active ? n : 0;
        });
    }

    // A device gone silent, or speaking again, is an event for dispatch (an ARC's loss of supervision, 381), queued in the
    // transaction that raised or cleared it (so one receiver of several queues it, once), against the device's last frame.
    // A device that never sent a frame has nothing to queue against: its silence is on the dashboard and in /metrics.
    private void Enqueue(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx, string deviceId, string evt, DateTime now)
    {
        if (db.Dialect.QueueInsertLock is { } queueLock)
        {
            ReceiverDatabase.Execute(c, queueLock, tx);
        }
        using var cmd = ReceiverDatabase.Command(c, tx, """
            INSERT INTO dispatch_queue (device_id, counter, event, created_utc)
            SELECT @d, MAX(counter), @e, @now FROM frames WHERE device_id = @d HAVING MAX(counter) IS NOT NULL
            ON CONFLICT (device_id, counter, event) DO NOTHING
            """);
        cmd.With("@d", deviceId);
        cmd.With("@e", evt);
        cmd.With("@now", now.ToString("O"));
        cmd.ExecuteNonQuery();
    }
}

/// <summary>Runs the supervision check every 30 s.</summary>
internal sealed class SupervisionService(SupervisionMonitor monitor, TimeProvider time, ILogger<SupervisionService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Through the receiver's clock, so a test's clock decides when the next check comes.
        using var checks = new PeriodicTimer(TimeSpan.FromSeconds(30), time);
        do
        {
            try
            {
                int raised = monitor.Check();
                if (raised > 0)
                {
                    logger.LogWarning("Supervision raised {Count} event(s)", raised);
                }
            }
            catch (System.Data.Common.DbException e)
            {
                // The store is unreachable (a PostgreSQL outage): check again next round rather than stop the receiver.
                logger.LogWarning("Supervision paused: {Message}", e.Message);
            }
        }
        while (await Rounds.Next(checks, stoppingToken));
    }
}
