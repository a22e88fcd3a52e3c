using PanicDevice.Receiver.Storage;

namespace PanicDevice.Receiver.Dispatch;

/// <summary>How an operator's forward ended.</summary>
internal enum ForwardOutcome
{
    Forwarded,
    NoAlert,
    UnknownTarget,
    /// <summary>The target cannot take this device's events (an ARC without an account for it).</summary>
    NotTaken,
    AlreadyForwarded,
}

/// <summary>
/// An operator re-routes an alert or adds an agency to it: the alert's frame is queued again as
/// <c>forward:TARGET</c>, which routing sends to that target only (<see cref="Routing.AlertRouter"/>), through the same
/// durable queue as everything else. The queue row and the timeline entry ("forwarded", by whom) commit together, so a
/// forward is never half done; forwarding twice to one target is refused, not sent twice.
/// </summary>
internal sealed class AlertForwarder(ReceiverDatabase db, QueueDispatcher dispatcher, AlertBook alerts, TimeProvider time)
{
    public (ForwardOutcome Outcome, AlertView? Alert) Forward(long alertId, string target, string operatorName)
    {
        IDispatchChannel? channel = dispatcher.Channels.FirstOrDefault(c => c.RouteName == target);
        if (channel == null)
        {
            return (ForwardOutcome.UnknownTarget, null);
        }
        string now = time.GetUtcNow().UtcDateTime.ToString("O");
        ForwardOutcome outcome = db.InTransaction((c, tx) =>
        {
            string device;
            long counter;
            using (var find = ReceiverDatabase.Command(c, tx, "SELECT device_id, counter FROM alerts WHERE id = @a"))
            {
                find.With("@a", alertId);
                using var r = find.ExecuteReader();
                if (!r.Read())
                {
                    return ForwardOutcome.NoAlert;
                }
                device = r.GetString(0);
                counter = r.GetInt64(1);
            }
            if (!channel.Takes(device))
            {
                return ForwardOutcome.NotTaken;
            }
            if (db.Dialect.QueueInsertLock is { } queueLock)
            {
                ReceiverDatabase.Execute(c, queueLock, tx);
            }
            using (var queue = ReceiverDatabase.Command(c, tx, """
                INSERT INTO dispatch_queue (device_id, counter, event, created_utc) VALUES (@d, @c, @e, @now)
                ON CONFLICT (device_id, counter, event) DO NOTHING
                """))
            {
                queue.With("@d", device);
                queue.With("@c", counter);
                queue.With("@e", QueuedEvent.ForwardPrefix + target);
                queue.With("@now", now);
                if (queue.ExecuteNonQuery() == 0)
                {
                    return ForwardOutcome.AlreadyForwarded;
                }
            }
            using (var entry = ReceiverDatabase.Command(c, tx, "INSERT INTO timeline (alert_id, at_utc, event, detail) VALUES (@a, @now, 'forwarded', @x)"))
            {
                entry.With("@a", alertId);
                entry.With("@now", now);
                entry.With("@x", target + " · " + operatorName);
                entry.ExecuteNonQuery();
            }
            tx.Commit();
            return ForwardOutcome.Forwarded;
        });
        return (outcome, outcome == ForwardOutcome.Forwarded ? alerts.Find(alertId) : null);
    }
}
