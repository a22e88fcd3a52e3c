using System.Data.Common;
using PanicDevice.Receiver.Dispatch;
using PanicDevice.Receiver.Storage;

namespace PanicDevice.Receiver.Supervision;

/// <summary>
/// An alert nobody has acknowledged within <see cref="After"/> escalates, once: its row is stamped, its timeline says
/// so, and an "escalation" event is queued for dispatch (webhooks get it; routing sends it where the alert went), all
/// in one transaction. The stamp's condition (still new, not yet escalated) makes it once even with several receivers
/// on one store. Dashboards show escalated alerts in their own banner.
/// </summary>
internal sealed class AlertEscalator(ReceiverDatabase db, TimeProvider time, TimeSpan after)
{
    public TimeSpan After => after;

    /// <summary>Alerts stamped by the last <see cref="Check"/> (after its commit): dashboards redraw them.</summary>
    public event Action<IReadOnlyList<long>>? Escalated;

    /// <summary>Escalates what is due; returns the ids of the alerts escalated now.</summary>
    public IReadOnlyList<long> Check()
    {
        if (after <= TimeSpan.Zero)
        {
            return Array.Empty<long>();
        }
        DateTime now = time.GetUtcNow().UtcDateTime;
        string nowText = now.ToString("O"), dueText = (now - after).ToString("O");
        var escalated = db.InTransaction((c, tx) =>
        {
            var due = new List<(long Id, string Device, long Counter)>();
            using (var stamp = ReceiverDatabase.Command(c, tx, """
                UPDATE alerts SET escalated_utc = @now, updated_utc = @now
                WHERE state = 'new' AND escalated_utc IS NULL AND opened_utc <= @due
                RETURNING id, device_id, counter
                """))
            {
                stamp.With("@now", nowText);
                stamp.With("@due", dueText);
                using DbDataReader r = stamp.ExecuteReader();
                while (r.Read()) due.Add((r.GetInt64(0), r.GetString(1), r.GetInt64(2)));
            }
            if (due.Count > 0 && db.Dialect.QueueInsertLock is { } queueLock)
            {
                ReceiverDatabase.Execute(c, queueLock, tx);
            }
            foreach (var (id, device, counter) in due)
            {
                using (var entry = ReceiverDatabase.Command(c, tx, "INSERT INTO timeline (alert_id, at_utc, event, detail) VALUES (@a, @now, 'escalated', @x)"))
                {
                    entry.With("@a", id);
                    entry.With("@now", nowText);
                    entry.With("@x", ((int)after.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture) + " s");
                    entry.ExecuteNonQuery();
                }
                using var queue = ReceiverDatabase.Command(c, tx, """
                    INSERT INTO dispatch_queue (device_id, counter, event, created_utc) VALUES (@d, @c, @e, @now)
                    ON CONFLICT (device_id, counter, event) DO NOTHING
                    """);
                queue.With("@d", device);
                queue.With("@c", counter);
                queue.With("@e", QueuedEvent.Escalation);
                queue.With("@now", nowText);
                queue.ExecuteNonQuery();
            }
            tx.Commit();
            return due.Select(d => d.Id).ToList();
        });
        if (escalated.Count > 0)
        {
            Escalated?.Invoke(escalated);
        }
        return escalated;
    }
}

/// <summary>Checks for alerts to escalate every 5 s of the receiver's clock.</summary>
internal sealed class AlertEscalationService(AlertEscalator escalator, TimeProvider time, ILogger<AlertEscalationService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var checks = new PeriodicTimer(TimeSpan.FromSeconds(5), time);
        do
        {
            try
            {
                IReadOnlyList<long> escalated = escalator.Check();
                if (escalated.Count > 0)
                {
                    logger.LogWarning("{Count} alert(s) not acknowledged within {Seconds} s escalated: {Ids}", escalated.Count, (int)escalator.After.TotalSeconds, string.Join(", ", escalated));
                }
            }
            catch (DbException e)
            {
                logger.LogWarning("Escalation paused: {Message}", e.Message);
            }
        }
        while (await Rounds.Next(checks, stoppingToken));
    }
}
