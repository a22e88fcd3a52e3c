using System.Globalization;
using System.Text;
using System.Data.Common;
using PanicDevice.Core.Config;
using PanicDevice.Core.Protocol;
using PanicDevice.Receiver.Dispatch.Routing;
using PanicDevice.Receiver.Storage;

namespace PanicDevice.Receiver.Dispatch;

/// <summary>
/// What the API shows about a target: its backlog, its last failure, and since when it has been failing (null while
/// it takes events); <paramref name="Alarm"/> once that has lasted <see cref="QueueDispatcher.FailingAlarmAfter"/>.
/// <paramref name="Target"/> is a webhook's URL (operators only) or an ARC's name and address; <paramref name="Label"/>
/// names it without a secret.
/// </summary>
internal sealed record WebhookStatus(string Target, long Pending, long Delivered, string? LastError, DateTimeOffset? FailingSince = null, bool Alarm = false,
    string Label = "", string Route = "");

/// <summary>
/// A target's health as operators see it on the dashboard and in /metrics: raised once a target has refused or
/// missed every event for <see cref="QueueDispatcher.FailingAlarmAfter"/>, cleared when it takes one again. Named
/// by position and label (a webhook URL can carry a secret in its path or query).
/// </summary>
internal sealed record WebhookHealthView(int Target, string Host, bool Failing, DateTimeOffset? FailingSince, string? LastError);

/// <summary>
/// Delivers every queued event to every channel (webhooks, alarm receiving centres) that routing sends it to, from
/// the durable queue the frame store fills in the same transaction as the frame. Per channel, events go strictly in
/// queue order: a failing channel blocks only itself and is retried with backoff (1 s doubling to
/// <see cref="MaxBackoff"/>), so events arrive in order once it recovers; a channel failing for
/// <see cref="FailingAlarmAfter"/> raises <see cref="HealthChanged"/>. An event not routed to a channel is recorded as
/// passed (attempts 0) so the walk goes on. Events are read <see cref="FetchBatch"/> at a time and their deliveries
/// recorded together (at most the channel's <see cref="IDispatchChannel.RecordEvery"/> or <see cref="RecordAfter"/>
/// apart, and before any failure is recorded): one durable write per event held a PostgreSQL store to 63 events/s
/// (docs/benchmarks.md, "Dispatch"). Delivery is at-least-once: a crash between deliveries and their record repeats at
/// most those events (for an ARC, at most the one message whose ACK was not yet recorded).
/// A delivered alert or cancel gets a timeline entry in the same transaction as its record: where it went and by which
/// route. Several receivers may share one PostgreSQL store: per channel, only the holder of a lease
/// (webhook_leases, renewed once half of it has run, so always at least <see cref="LeaseTime"/>/2 ahead of a
/// send that takes at most 10 s; taken over once it has expired) delivers, so each event goes out once and
/// in order, and a receiver that dies hands its channels on after <see cref="LeaseTime"/>. The holder is
/// named for the receiver's machine and data folder, so a restarted receiver takes its own lease back at
/// once instead of waiting it out.
/// </summary>
internal sealed class QueueDispatcher
{
    /// <summary>The longest wait between attempts at a failing target: a dispatch system back after an outage gets its alerts within this.</summary>
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    /// <summary>How long a target may fail every attempt before operators are told (dashboard, /metrics).</summary>
    public static readonly TimeSpan FailingAlarmAfter = TimeSpan.FromSeconds(60);

    /// <summary>Events read per query.</summary>
    public const int FetchBatch = 256;

    /// <summary>Webhook deliveries recorded per write at most; with <see cref="RecordAfter"/>, bounds what a crash repeats.</summary>
    public const int RecordEveryDefault = 64;

    /// <summary>The longest a successful send waits for its delivery to be recorded.</summary>
    public static readonly TimeSpan RecordAfter = TimeSpan.FromMilliseconds(100);

    /// <summary>How long a target stays with its dispatcher without a renewal; longer than one send may take (the receiver's HTTP and DC-09 timeouts are 10 s).</summary>
    public static readonly TimeSpan LeaseTime = TimeSpan.FromSeconds(30);

    // Names this dispatcher in webhook_leases.
    private readonly string holder;

    // Per channel, until when this dispatcher's lease runs (in memory: renewing it is a durable write, which
    // before every POST doubled the writes of a backlog and starved the ingest's group commits on SQLite).
    private readonly Dictionary<string, DateTimeOffset> leaseUntil = new(StringComparer.Ordinal);
    private readonly ReceiverDatabase db;
    private readonly IReadOnlyList<IDispatchChannel> channels;
    private readonly AlertRouter router;
    private readonly TimeProvider time;

    // Per channel, the queue id up to which everything is delivered. Delivery is strictly in queue order and
    // queue ids commit in id order (SQLite has one writer; PostgreSQL writers take StoreDialect.QueueInsertLock), so the next event is always after it: without this the
    // "next undelivered" query rescans every delivered row, and a burst of thousands drains quadratically.
    private readonly Dictionary<string, long> deliveredUpTo = new(StringComparer.Ordinal);

    // Per channel, since when every attempt has failed (in memory: a restarted receiver counts from its first failure),
    // whether an event (not only a link test) is failing, the last link test's failure, and whether operators have been told.
    private readonly Dictionary<string, DateTimeOffset> failingSince = new(StringComparer.Ordinal);
    private readonly HashSet<string> eventFailing = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> linkError = new(StringComparer.Ordinal);
    private readonly HashSet<string> alarmed = new(StringComparer.Ordinal);

    /// <summary>The dispatcher's clock (the receiver's): how long a target has been failing is measured on it.</summary>
    public DateTimeOffset Now => time.GetUtcNow();

    /// <summary>A target started or stopped failing for longer than <see cref="FailingAlarmAfter"/>.</summary>
    public event Action<WebhookHealthView>? HealthChanged;

    /// <summary>Alerts whose timeline a delivery added to (after the commit): dashboards show where each alert went.</summary>
    public event Action<IReadOnlyList<long>>? TimelinesChanged;

    /// <summary>Webhooks only, every event to every target (no routing rules): what the tests of the webhook queue use.</summary>
    public QueueDispatcher(ReceiverDatabase db, IReadOnlyList<WebhookTarget> targets, HttpClient http, TimeProvider time, string? holder = null)
        : this(db, targets.Select((t, i) => (IDispatchChannel)new WebhookChannel(t, i, http)).ToList(), AlertRouter.Everywhere, time, holder)
    {
    }

    /// <summary><paramref name="holder"/> names this dispatcher in the lease table: the same for a receiver across restarts (machine and data folder), distinct between receivers; null: a fresh name.</summary>
    public QueueDispatcher(ReceiverDatabase db, IReadOnlyList<IDispatchChannel> channels, AlertRouter router, TimeProvider time, string? holder = null)
    {
        this.holder = holder ?? Guid.NewGuid().ToString("N");
        this.db = db;
        this.channels = channels;
        this.router = router;
        this.time = time;
    }

    /// <summary>The channels, in configuration order (webhooks, then ARCs).</summary>
    public IReadOnlyList<IDispatchChannel> Channels => channels;

    /// <summary>Delivers what is due for every channel; returns how many events were delivered.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancel)
    {
        long started = time.GetUtcNow().UtcTicks;
        try
        {
            return await DeliverDueAsync(cancel);
        }
        finally
        {
            Interlocked.Exchange(ref lastRoundStartedTicks, started);
        }
    }

    /// <summary>
    /// When the last finished round began, by the dispatcher's clock: a test that moved the clock waits for a round that
    /// began at or after that moment instead of sleeping through "one more round".
    /// </summary>
    public DateTimeOffset LastFinishedRoundStartedAt => new(Interlocked.Read(ref lastRoundStartedTicks), TimeSpan.Zero);

    private long lastRoundStartedTicks;

    private async Task<int> DeliverDueAsync(CancellationToken cancel)
    {
        int delivered = 0;
        for (int t = 0; t < channels.Count; t++)
        {
            bool idle;
            (int n, idle) = await DeliverDueAsync(channels[t], cancel);
            delivered += n;
            if (idle && !cancel.IsCancellationRequested && HoldLease(channels[t].Key))
            {
                await SuperviseAsync(channels[t], cancel);
            }
            CheckHealth(t);
        }
        return delivered;
    }

    // A link test while nothing is due: its failure makes the channel failing (so operators hear of a dead line before
    // an alarm needs it); its success clears that unless an event is still failing.
    private async Task SuperviseAsync(IDispatchChannel channel, CancellationToken cancel)
    {
        LinkTest test = await channel.SuperviseAsync(cancel);
        if (!test.Tested)
        {
            return;
        }
        string? error = test.Error;
        lock (failingSince)
        {
            if (error != null)
            {
                linkError[channel.Key] = error;
                failingSince.TryAdd(channel.Key, time.GetUtcNow());
            }
            else if (linkError.Remove(channel.Key) && !eventFailing.Contains(channel.Key))
            {
                failingSince.Remove(channel.Key);
            }
        }
    }

    // What has been sent (or passed) and waits for its record.
    private readonly record struct Done(QueuedEvent Event, bool Sent, string? Timeline);

    private async Task<(int Delivered, bool Idle)> DeliverDueAsync(IDispatchChannel channel, CancellationToken cancel)
    {
        int delivered = 0;
        bool idle = true;
        var done = new List<Done>(channel.RecordEvery);
        long doneSince = 0;
        try
        {
            while (!cancel.IsCancellationRequested && HoldLease(channel.Key))
            {
                List<Pending> batch = NextBatchFor(channel.Key, FetchBatch);
                bool more = batch.Count == FetchBatch;
                foreach (Pending next in batch)
                {
                    // The lease before every send: renewed while half of it is left, so a slow target cannot outlast it.
                    if (cancel.IsCancellationRequested || (next.Due is DateTime d && d > time.GetUtcNow().UtcDateTime) || !HoldLease(channel.Key))
                    {
                        idle = false;
                        more = false;
                        break;
                    }
                    RouteDecision route = router.Decide(next.Event, channel.RouteName);
                    DispatchAttempt attempt = route.Routed
                        ? await channel.SendAsync(next.Event, cancel)
                        : new DispatchAttempt(DispatchResult.NothingToSend, route.Why);
                    if (attempt.Result == DispatchResult.Failed)
                    {
                        delivered += RecordDone(channel, done);
                        RecordFailure(channel.Key, next.Event.Id, next.Attempts + 1, attempt.Detail);
                        idle = false;
                        more = false; // keep the order: nothing after this event goes to this target until it succeeds
                        break;
                    }
                    if (done.Count == 0)
                    {
                        doneSince = Environment.TickCount64;
                    }
                    bool sent = attempt.Result == DispatchResult.Delivered;
                    done.Add(new Done(next.Event, sent, sent && next.Event.IsFrame && next.Event.Kind is MessageKind.Alert or MessageKind.Cancel
                        ? TimelineDetail(channel, attempt, route) : null));
                    if (done.Count >= channel.RecordEvery || Environment.TickCount64 - doneSince >= RecordAfter.TotalMilliseconds)
                    {
                        delivered += RecordDone(channel, done);
                    }
                }
                // The next query starts after what is recorded, so what was sent is recorded first.
                delivered += RecordDone(channel, done);
                if (!more)
                {
                    break;
                }
            }
        }
        finally
        {
            // Cancelled mid-batch (the receiver stopping): what went out is still recorded, not sent again.
            delivered += RecordDone(channel, done);
        }
        return (delivered, idle);
    }

    // "central · ACK 0012 · route shops": the channel, what it answered, and why the alert went there.
    private static string TimelineDetail(IDispatchChannel channel, DispatchAttempt attempt, RouteDecision route) =>
        channel.RouteName[(channel.RouteName.IndexOf(':') + 1)..] + " · " + attempt.Detail + " · " + route.Why;

    /// <summary>Raises or clears a channel's alarm once its failing has lasted <see cref="FailingAlarmAfter"/>, or has ended.</summary>
    private void CheckHealth(int index)
    {
        string key = channels[index].Key;
        bool raise = false, clear = false;
        DateTimeOffset since;
        lock (failingSince)
        {
            bool failing = failingSince.TryGetValue(key, out since);
            if (failing && !alarmed.Contains(key) && time.GetUtcNow() - since >= FailingAlarmAfter)
            {
                raise = alarmed.Add(key);
            }
            else if (!failing)
            {
                clear = alarmed.Remove(key);
            }
        }
        // The store is read outside the lock: Status() and the dispatch rounds take it too.
        if (raise)
        {
            HealthChanged?.Invoke(new WebhookHealthView(index, HealthName(channels[index]), true, since, LastErrorOf(key)));
        }
        else if (clear)
        {
            HealthChanged?.Invoke(new WebhookHealthView(index, HealthName(channels[index]), false, null, null));
        }
    }

    // Webhooks as before (scheme, host and port); an ARC by its label.
    private static string HealthName(IDispatchChannel channel) => channel is WebhookChannel ? HostOf(channel.Key) : channel.Label;

    /// <summary>What a target is called where its URL must not appear: scheme, host and port.</summary>
    public static string HostOf(string url) => Uri.TryCreate(url, UriKind.Absolute, out Uri? u) ? u.GetLeftPart(UriPartial.Authority) : "?";

    private string? LastErrorOf(string key)
    {
        using var c = db.Open();
        using var cmd = ReceiverDatabase.Command(c, null, "SELECT last_error FROM webhook_deliveries WHERE target = @t AND delivered_utc IS NULL ORDER BY queue_id LIMIT 1");
        cmd.With("@t", key);
        if (cmd.ExecuteScalar() is string error)
        {
            return error;
        }
        lock (failingSince) return linkError.TryGetValue(key, out string? link) ? "link test: " + link : null;
    }

    /// <summary>Takes or renews this dispatcher's lease on a channel; false while another live dispatcher holds it.</summary>
    private bool HoldLease(string target)
    {
        DateTimeOffset now = time.GetUtcNow();
        lock (leaseUntil)
        {
            if (leaseUntil.TryGetValue(target, out DateTimeOffset until) && until - now > LeaseTime / 2)
            {
                return true;
            }
        }
        using var c = db.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = """
            INSERT INTO webhook_leases (target, holder, expires_utc) VALUES (@t, @h, @until)
            ON CONFLICT (target) DO UPDATE SET holder = excluded.holder, expires_utc = excluded.expires_utc
            WHERE webhook_leases.holder = excluded.holder OR webhook_leases.expires_utc < @now
            """;
        cmd.With("@t", target);
        cmd.With("@h", holder);
        cmd.With("@until", now.Add(LeaseTime).UtcDateTime.ToString("O"));
        cmd.With("@now", now.UtcDateTime.ToString("O"));
        bool held = cmd.ExecuteNonQuery() == 1;
        lock (leaseUntil)
        {
            if (held) leaseUntil[target] = now.Add(LeaseTime);
            else leaseUntil.Remove(target);
        }
        return held;
    }

    /// <summary>The webhook targets' status (the API's /api/webhooks).</summary>
    public IReadOnlyList<WebhookStatus> Status() => StatusOf(channels.Where(ch => ch is WebhookChannel));

    /// <summary>Every channel's status, webhooks and ARCs (the dashboard's dispatch table, /api/dispatch).</summary>
    public IReadOnlyList<WebhookStatus> AllStatus() => StatusOf(channels);

    private List<WebhookStatus> StatusOf(IEnumerable<IDispatchChannel> which)
    {
        using var c = db.Open();
        return which.Select(ch =>
        {
            string? error;
            long pending, delivered;
            using (var cmd = c.CreateCommand())
            {
                cmd.CommandText = """
                    SELECT (SELECT COUNT(*) FROM dispatch_queue q WHERE NOT EXISTS (SELECT 1 FROM webhook_deliveries w WHERE w.queue_id = q.id AND w.target = @t AND w.delivered_utc IS NOT NULL)),
                           (SELECT COUNT(*) FROM webhook_deliveries WHERE target = @t AND delivered_utc IS NOT NULL AND attempts > 0),
                           (SELECT last_error FROM webhook_deliveries WHERE target = @t AND delivered_utc IS NULL ORDER BY queue_id LIMIT 1)
                    """;
                cmd.With("@t", ch.Key);
                using var r = cmd.ExecuteReader();
                r.Read();
                pending = r.GetInt64(0);
                delivered = r.GetInt64(1);
                error = r.IsDBNull(2) ? null : r.GetString(2);
            }
            DateTimeOffset? since;
            bool alarm;
            lock (failingSince)
            {
                since = failingSince.TryGetValue(ch.Key, out DateTimeOffset s) ? s : null;
                alarm = alarmed.Contains(ch.Key);
                if (error == null && linkError.TryGetValue(ch.Key, out string? link))
                {
                    error = "link test: " + link;
                }
            }
            return new WebhookStatus(ch is WebhookChannel ? ch.Key : ch.Label, pending, delivered, error, since, alarm, ch.Label, ch.RouteName);
        }).ToList();
    }

    private readonly record struct Pending(QueuedEvent Event, int Attempts, DateTime? Due);

    private List<Pending> NextBatchFor(string target, int limit)
    {
        using var c = db.Open();
        using var cmd = c.CreateCommand();
        // The alert an event belongs to is the device's latest opened by then; the flags before it are its previous frame's.
        cmd.CommandText = """
            SELECT q.id, q.device_id, q.counter, q.event, q.created_utc, f.kind, f.code, f.lat_e7, f.lon_e7, f.accuracy_m, f.source, f.path,
                   COALESCE(w.attempts, 0), w.next_attempt_utc, f.flags,
                   (SELECT p.flags FROM frames p WHERE p.device_id = q.device_id AND p.counter < q.counter ORDER BY p.counter DESC LIMIT 1),
                   d.kind, d.lat_e7, d.lon_e7,
                   (SELECT a.code FROM alerts a WHERE a.device_id = q.device_id AND a.opened_utc <= q.created_utc ORDER BY a.id DESC LIMIT 1)
            FROM dispatch_queue q
            JOIN frames f ON f.device_id = q.device_id AND f.counter = q.counter
            LEFT JOIN devices d ON d.id = q.device_id
            LEFT JOIN webhook_deliveries w ON w.queue_id = q.id AND w.target = @t
            WHERE q.id > @after AND w.delivered_utc IS NULL
            ORDER BY q.id LIMIT @limit
            """;
        cmd.With("@t", target);
        long after;
        lock (deliveredUpTo) after = deliveredUpTo.TryGetValue(target, out long upTo) ? upTo : 0;
        cmd.With("@after", after);
        cmd.With("@limit", limit);
        var batch = new List<Pending>();
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            var e = new QueuedEvent(
                Id: r.GetInt64(0), Type: r.GetString(3), DeviceId: r.GetString(1), Counter: r.GetInt64(2),
                Kind: (MessageKind)r.GetInt32(5), Code: (byte)r.GetInt32(6),
                LatE7: r.GetInt32(7), LonE7: r.GetInt32(8), AccuracyM: r.GetInt32(9), Source: (LocationSource)r.GetInt32(10),
                Flags: (byte)r.GetInt32(14), PreviousFlags: r.IsDBNull(15) ? null : (byte)r.GetInt32(15),
                Path: r.GetString(11), ReceivedUtc: r.GetString(4),
                DeviceKind: r.IsDBNull(16) ? DeviceKind.Fob : (DeviceKind)r.GetInt32(16),
                IncidentCode: r.IsDBNull(19) ? null : (byte)r.GetInt32(19),
                SiteLatE7: r.IsDBNull(17) ? null : r.GetInt32(17), SiteLonE7: r.IsDBNull(18) ? null : r.GetInt32(18));
            DateTime? due = r.IsDBNull(13) ? null : DateTime.Parse(r.GetString(13), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);
            batch.Add(new Pending(e, r.GetInt32(12), due));
        }
        return batch;
    }

    /// <summary>
    /// Records what was sent (attempts counted) and passed (attempts 0) in one transaction with the timeline entries of
    /// the delivered alerts and cancels, moves the cursor past them and clears the list; returns how many were sent.
    /// </summary>
    private int RecordDone(IDispatchChannel channel, List<Done> done)
    {
        if (done.Count == 0)
        {
            return 0;
        }
        string now = time.GetUtcNow().UtcDateTime.ToString("O");
        var changed = new List<long>();
        db.InTransaction((c, tx) =>
        {
            changed.Clear(); // a transaction run again starts over
            var values = new StringBuilder();
            using (var cmd = ReceiverDatabase.Command(c, tx, ""))
            {
                for (int i = 0; i < done.Count; i++)
                {
                    string n = i.ToString(CultureInfo.InvariantCulture);
                    values.Append(i == 0 ? "" : ", ").Append("(@q").Append(n).Append(", @t, ").Append(done[i].Sent ? '1' : '0').Append(", NULL, @done, NULL)");
                    cmd.With("@q" + n, done[i].Event.Id);
                }
                cmd.CommandText = "INSERT INTO webhook_deliveries (queue_id, target, attempts, next_attempt_utc, delivered_utc, last_error) VALUES " + values + """
                     ON CONFLICT (queue_id, target) DO UPDATE SET attempts = CASE WHEN excluded.attempts = 0 THEN 0 ELSE webhook_deliveries.attempts + 1 END,
                     next_attempt_utc = NULL, delivered_utc = excluded.delivered_utc, last_error = NULL
                    """;
                cmd.With("@t", channel.Key);
                cmd.With("@done", now);
                cmd.ExecuteNonQuery();
            }
            AddTimelines(c, tx, channel, done, now, changed);
            tx.Commit();
            return 0;
        });
        if (changed.Count > 0)
        {
            TimelinesChanged?.Invoke(changed.Distinct().ToList());
        }
        int sent = done.Count(d => d.Sent);
        lock (deliveredUpTo) deliveredUpTo[channel.Key] = done[^1].Event.Id;
        lock (failingSince)
        {
            eventFailing.Remove(channel.Key);
            if (!linkError.ContainsKey(channel.Key))
            {
                failingSince.Remove(channel.Key);
            }
        }
        done.Clear();
        return sent;
    }

    // An alert's own event goes on its timeline; a cancel's on the timeline of the device's latest alert before it.
    private static void AddTimelines(DbConnection c, DbTransaction tx, IDispatchChannel channel, List<Done> done, string now, List<long> changed)
    {
        var alerts = done.Where(d => d.Timeline != null && d.Event.Kind == MessageKind.Alert).ToList();
        if (alerts.Count > 0)
        {
            using var cmd = ReceiverDatabase.Command(c, tx, "");
            var values = new StringBuilder();
            for (int i = 0; i < alerts.Count; i++)
            {
                string n = i.ToString(CultureInfo.InvariantCulture);
                values.Append(i == 0 ? "" : ", ").Append("(@d").Append(n).Append(", @c").Append(n).Append(", @x").Append(n).Append(')');
                cmd.With("@d" + n, alerts[i].Event.DeviceId);
                cmd.With("@c" + n, alerts[i].Event.Counter);
                cmd.With("@x" + n, alerts[i].Timeline);
            }
            cmd.CommandText = "INSERT INTO timeline (alert_id, at_utc, event, detail) SELECT a.id, @at, @e, v.column3 FROM (VALUES " + values
                + ") AS v JOIN alerts a ON a.device_id = v.column1 AND (a.counter = v.column2 OR a.last_counter = v.column2) RETURNING alert_id";
            cmd.With("@at", now);
            cmd.With("@e", channel.TimelineEvent);
            using var r = cmd.ExecuteReader();
            while (r.Read()) changed.Add(r.GetInt64(0));
        }
        foreach (Done cancel in done.Where(d => d.Timeline != null && d.Event.Kind == MessageKind.Cancel))
        {
            using var cmd = ReceiverDatabase.Command(c, tx, """
                INSERT INTO timeline (alert_id, at_utc, event, detail)
                SELECT a.id, @at, @e, @x FROM alerts a WHERE a.device_id = @d AND a.opened_utc <= @rx ORDER BY a.id DESC LIMIT 1 RETURNING alert_id
                """);
            cmd.With("@at", now);
            cmd.With("@e", channel.TimelineEvent);
            cmd.With("@x", cancel.Timeline);
            cmd.With("@d", cancel.Event.DeviceId);
            cmd.With("@rx", cancel.Event.ReceivedUtc);
            if (cmd.ExecuteScalar() is long id) changed.Add(id);
        }
    }

    private void RecordFailure(string target, long queueId, int attempts, string error)
    {
        DateTimeOffset now = time.GetUtcNow();
        double backoffS = Math.Min(MaxBackoff.TotalSeconds, Math.Pow(2, Math.Min(attempts - 1, 20)));
        using var c = db.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = """
            INSERT INTO webhook_deliveries (queue_id, target, attempts, next_attempt_utc, delivered_utc, last_error)
            VALUES (@q, @t, @a, @next, NULL, @err)
            ON CONFLICT (queue_id, target) DO UPDATE SET attempts = @a, next_attempt_utc = @next, delivered_utc = NULL, last_error = @err
            """;
        cmd.With("@q", queueId);
        cmd.With("@t", target);
        cmd.With("@a", attempts);
        cmd.With("@next", now.UtcDateTime.AddSeconds(backoffS).ToString("O"));
        cmd.With("@err", error);
        cmd.ExecuteNonQuery();
        lock (failingSince)
        {
            eventFailing.Add(target);
            failingSince.TryAdd(target, now);
        }
    }
}

/// <summary>Runs the dispatcher in the background, every second.</summary>
internal sealed class DispatchService(QueueDispatcher dispatcher, TimeProvider time, ILogger<DispatchService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Through the receiver's clock, so a test's clock decides when the next round comes.
        using var rounds = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        do
        {
            try
            {
                await dispatcher.RunOnceAsync(stoppingToken);
            }
            catch (DbException e)
            {
                logger.LogWarning("Dispatch paused: {Message}", e.Message);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
        while (await Rounds.Next(rounds, stoppingToken));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        // Open ARC connections end with the receiver, not with the process.
        foreach (IAsyncDisposable link in dispatcher.Channels.OfType<IAsyncDisposable>())
        {
            await link.DisposeAsync();
        }
    }
}
