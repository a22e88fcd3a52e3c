using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Data.Common;
using PanicDevice.Receiver.Storage;

namespace PanicDevice.Receiver.Dispatch;

/// <summary>A webhook target: where events go and the secret their signature uses.</summary>
internal sealed record WebhookTarget(string Url, string Secret);

/// <summary>
/// What the API shows about a target: its backlog, its last failure, and since when it has been failing (null while
/// it takes events); <paramref name="Alarm"/> once that has lasted <see cref="WebhookDispatcher.FailingAlarmAfter"/>.
/// </summary>
internal sealed record WebhookStatus(string Target, long Pending, long Delivered, string? LastError, DateTimeOffset? FailingSince = null, bool Alarm = false);

/// <summary>
/// A target's health as operators see it on the dashboard and in /metrics: raised once a target has refused or
/// missed every event for <see cref="WebhookDispatcher.FailingAlarmAfter"/>, cleared when it takes one again. Named
/// by position and host (a webhook URL can carry a secret in its path or query).
/// </summary>
internal sealed record WebhookHealthView(int Target, string Host, bool Failing, DateTimeOffset? FailingSince, string? LastError);

/// <summary>
/// Delivers every queued event to every webhook target, from the durable queue the frame store fills in
/// the same transaction as the frame. Per target, events go strictly in queue order: a failing target
/// blocks only itself and is retried with backoff (1 s doubling to <see cref="MaxBackoff"/>), so events arrive in
/// order once it recovers; a target failing for <see cref="FailingAlarmAfter"/> raises <see cref="HealthChanged"/>.
/// Each POST carries X-PanicDevice-Event (the queue id, for de-duplication) and
/// X-PanicDevice-Signature: sha256=HMAC(secret, body). Events are read <see cref="FetchBatch"/> at a time and their
/// deliveries recorded together (at most <see cref="RecordEvery"/> or <see cref="RecordAfter"/> apart, and before
/// any failure is recorded): one durable write per event held a PostgreSQL store to 63 events/s (docs/benchmarks.md,
/// "Dispatch"). Delivery is at-least-once: a crash between successful POSTs and their record repeats at most those
/// events, each with the same event id.
/// Several receivers may share one PostgreSQL store: per target, only the holder of a lease
/// (webhook_leases, renewed once half of it has run, so always at least <see cref="LeaseTime"/>/2 ahead of a
/// POST that takes at most 10 s; taken over once it has expired) delivers, so each event goes out once and
/// in order, and a receiver that dies hands its targets on after <see cref="LeaseTime"/>. The holder is
/// named for the receiver's machine and data folder, so a restarted receiver takes its own lease back at
/// once instead of waiting it out.
/// </summary>
internal sealed class WebhookDispatcher
{
    /// <summary>The longest wait between attempts at a failing target: a dispatch system back after an outage gets its alerts within this.</summary>
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    /// <summary>How long a target may fail every attempt before operators are told (dashboard, /metrics).</summary>
    public static readonly TimeSpan FailingAlarmAfter = TimeSpan.FromSeconds(60);

    /// <summary>Events read per query.</summary>
    public const int FetchBatch = 256;

    /// <summary>Deliveries recorded per write at most; with <see cref="RecordAfter"/>, bounds what a crash repeats.</summary>
    public const int RecordEvery = 64;

    /// <summary>The longest a successful POST waits for its delivery to be recorded.</summary>
    public static readonly TimeSpan RecordAfter = TimeSpan.FromMilliseconds(100);

    /// <summary>How long a target stays with its dispatcher without a renewal; longer than one POST may take (the receiver's HTTP timeout is 10 s).</summary>
    public static readonly TimeSpan LeaseTime = TimeSpan.FromSeconds(30);

    // Names this dispatcher in webhook_leases.
    private readonly string holder;

    // Per target, until when this dispatcher's lease runs (in memory: renewing it is a durable write, which
    // before every POST doubled the writes of a backlog and starved the ingest's group commits on SQLite).
    private readonly Dictionary<string, DateTimeOffset> leaseUntil = new(StringComparer.Ordinal);
    private readonly ReceiverDatabase db;
    private readonly IReadOnlyList<WebhookTarget> targets;
    private readonly HttpClient http;
    private readonly TimeProvider time;

    // Per target, the queue id up to which everything is delivered. Delivery is strictly in queue order and
    // queue ids commit in id order (SQLite has one writer; PostgreSQL writers take StoreDialect.QueueInsertLock), so the next event is always after it: without this the
    // "next undelivered" query rescans every delivered row, and a burst of thousands drains quadratically.
    private readonly Dictionary<string, long> deliveredUpTo = new(StringComparer.Ordinal);

    // Per target, since when every attempt has failed (in memory: a restarted receiver counts from its first failure),
    // and whether operators have been told.
    private readonly Dictionary<string, DateTimeOffset> failingSince = new(StringComparer.Ordinal);
    private readonly HashSet<string> alarmed = new(StringComparer.Ordinal);

    /// <summary>The dispatcher's clock (the receiver's): how long a target has been failing is measured on it.</summary>
    public DateTimeOffset Now => time.GetUtcNow();

    /// <summary>A target started or stopped failing for longer than <see cref="FailingAlarmAfter"/>.</summary>
    public event Action<WebhookHealthView>? HealthChanged;

    /// <summary><paramref name="holder"/> names this dispatcher in the lease table: the same for a receiver across restarts (machine and data folder), distinct between receivers; null: a fresh name.</summary>
    public WebhookDispatcher(ReceiverDatabase db, IReadOnlyList<WebhookTarget> targets, HttpClient http, TimeProvider time, string? holder = null)
    {
        this.holder = holder ?? Guid.NewGuid().ToString("N");
        this.db = db;
        this.targets = targets;
        this.http = http;
        this.time = time;
    }

    /// <summary>Delivers what is due for every target; returns how many events were delivered.</summary>
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
        for (int t = 0; t < targets.Count; t++)
        {
            delivered += await DeliverDueAsync(targets[t], cancel);
            CheckHealth(t);
        }
        return delivered;
    }

    private async Task<int> DeliverDueAsync(WebhookTarget target, CancellationToken cancel)
    {
        int delivered = 0;
        var posted = new List<long>(RecordEvery);
        long postedSince = 0;
        try
        {
            while (!cancel.IsCancellationRequested && HoldLease(target.Url))
            {
                List<Pending> batch = NextBatchFor(target.Url, FetchBatch);
                bool more = batch.Count == FetchBatch;
                foreach (Pending next in batch)
                {
                    // The lease before every POST: renewed while half of it is left, so a slow target cannot outlast it.
                    if (cancel.IsCancellationRequested || (next.Due is DateTime d && d > time.GetUtcNow().UtcDateTime) || !HoldLease(target.Url))
                    {
                        more = false;
                        break;
                    }
                    string? error = await PostAsync(target, next.Id, next.Body, cancel);
                    if (error != null)
                    {
                        delivered += RecordDelivered(target.Url, posted);
                        RecordFailure(target.Url, next.Id, next.Attempts + 1, error);
                        more = false; // keep the order: nothing after this event goes to this target until it succeeds
                        break;
                    }
                    if (posted.Count == 0)
                    {
                        postedSince = Environment.TickCount64;
                    }
                    posted.Add(next.Id);
                    if (posted.Count >= RecordEvery || Environment.TickCount64 - postedSince >= RecordAfter.TotalMilliseconds)
                    {
                        delivered += RecordDelivered(target.Url, posted);
                    }
                }
                // The next query starts after what is recorded, so what was posted is recorded first.
                delivered += RecordDelivered(target.Url, posted);
                if (!more)
                {
                    break;
                }
            }
        }
        finally
        {
            // Cancelled mid-batch (the receiver stopping): what went out is still recorded, not sent again.
            delivered += RecordDelivered(target.Url, posted);
        }
        return delivered;
    }

    /// <summary>Raises or clears a target's alarm once its failing has lasted <see cref="FailingAlarmAfter"/>, or has ended.</summary>
    private void CheckHealth(int index)
    {
        string url = targets[index].Url;
        bool raise = false, clear = false;
        DateTimeOffset since;
        lock (failingSince)
        {
            bool failing = failingSince.TryGetValue(url, out since);
            if (failing && !alarmed.Contains(url) && time.GetUtcNow() - since >= FailingAlarmAfter)
            {
                raise = alarmed.Add(url);
            }
            else if (!failing)
            {
                clear = alarmed.Remove(url);
            }
        }
        // The store is read outside the lock: Status() and the dispatch rounds take it too.
        if (raise)
        {
            HealthChanged?.Invoke(new WebhookHealthView(index, HostOf(url), true, since, LastErrorOf(url)));
        }
        else if (clear)
        {
            HealthChanged?.Invoke(new WebhookHealthView(index, HostOf(url), false, null, null));
        }
    }

    /// <summary>What a target is called where its URL must not appear: scheme, host and port.</summary>
    public static string HostOf(string url) => Uri.TryCreate(url, UriKind.Absolute, out Uri? u) ? u.GetLeftPart(UriPartial.Authority) : "?";

    private string? LastErrorOf(string url)
    {
        using var c = db.Open();
        using var cmd = ReceiverDatabase.Command(c, null, "SELECT last_error FROM webhook_deliveries WHERE target = @t AND delivered_utc IS NULL ORDER BY queue_id LIMIT 1");
        cmd.With("@t", url);
        return cmd.ExecuteScalar() as string;
    }

    /// <summary>Takes or renews this dispatcher's lease on a target; false while another live dispatcher holds it.</summary>
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

    public IReadOnlyList<WebhookStatus> Status()
    {
        using var c = db.Open();
        return targets.Select(t =>
        {
            using var cmd = c.CreateCommand();
            cmd.CommandText = """
                SELECT (SELECT COUNT(*) FROM dispatch_queue q WHERE NOT EXISTS (SELECT 1 FROM webhook_deliveries w WHERE w.queue_id = q.id AND w.target = @t AND w.delivered_utc IS NOT NULL)),
                       (SELECT COUNT(*) FROM webhook_deliveries WHERE target = @t AND delivered_utc IS NOT NULL),
                       (SELECT last_error FROM webhook_deliveries WHERE target = @t AND delivered_utc IS NULL ORDER BY queue_id LIMIT 1)
                """;
            cmd.With("@t", t.Url);
            using var r = cmd.ExecuteReader();
            r.Read();
            DateTimeOffset? since;
            bool alarm;
            lock (failingSince)
            {
                since = failingSince.TryGetValue(t.Url, out DateTimeOffset s) ? s : null;
                alarm = alarmed.Contains(t.Url);
            }
            return new WebhookStatus(t.Url, r.GetInt64(0), r.GetInt64(1), r.IsDBNull(2) ? null : r.GetString(2), since, alarm);
        }).ToList();
    }

    private readonly record struct Pending(long Id, string Body, int Attempts, DateTime? Due);

    private List<Pending> NextBatchFor(string target, int limit)
    {
        using var c = db.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = """
            SELECT q.id, q.device_id, q.counter, q.event, q.created_utc, f.kind, f.code, f.lat_e7, f.lon_e7, f.accuracy_m, f.source, f.path,
                   COALESCE(w.attempts, 0), w.next_attempt_utc
            FROM dispatch_queue q
            JOIN frames f ON f.device_id = q.device_id AND f.counter = q.counter
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
            bool known = r.GetInt32(10) != 0;
            string body = JsonSerializer.Serialize(new
            {
                eventId = r.GetInt64(0),
                type = r.GetString(3),
                device = r.GetString(1),
                counter = r.GetInt64(2),
                kind = r.GetInt32(5),
                code = r.GetInt32(6),
                lat = known ? r.GetInt32(7) / 1e7 : (double?)null,
                lon = known ? r.GetInt32(8) / 1e7 : (double?)null,
                accuracyM = known ? r.GetInt32(9) : (int?)null,
                path = r.GetString(11),
                receivedUtc = r.GetString(4),
            });
            DateTime? due = r.IsDBNull(13) ? null : DateTime.Parse(r.GetString(13), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);
            batch.Add(new Pending(r.GetInt64(0), body, r.GetInt32(12), due));
        }
        return batch;
    }

    private async Task<string?> PostAsync(WebhookTarget target, long eventId, string body, CancellationToken cancel)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, target.Url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-PanicDevice-Event", eventId.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("X-PanicDevice-Signature", "sha256=" + Convert.ToHexString(HMACSHA256.HashData(Encoding.UTF8.GetBytes(target.Secret), Encoding.UTF8.GetBytes(body))).ToLowerInvariant());
        try
        {
            using var response = await http.SendAsync(request, cancel);
            return response.IsSuccessStatusCode ? null : "HTTP " + (int)response.StatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return e.GetType().Name + ": " + e.Message;
        }
    }

    /// <summary>Records the events posted so far as delivered, in one transaction, moves the cursor past them and clears the list; returns how many.</summary>
    private int RecordDelivered(string target, List<long> posted)
    {
        if (posted.Count == 0)
        {
            return 0;
        }
        string now = time.GetUtcNow().UtcDateTime.ToString("O");
        db.InTransaction((c, tx) =>
        {
            var values = new StringBuilder();
            using var cmd = ReceiverDatabase.Command(c, tx, "");
            for (int i = 0; i < posted.Count; i++)
            {
                values.Append(i == 0 ? "" : ", ").Append("(@q").Append(i).Append(", @t, 1, NULL, @done, NULL)");
                cmd.With("@q" + i.ToString(CultureInfo.InvariantCulture), posted[i]);
            }
            cmd.CommandText = "INSERT INTO webhook_deliveries (queue_id, target, attempts, next_attempt_utc, delivered_utc, last_error) VALUES " + values + """
                 ON CONFLICT (queue_id, target) DO UPDATE SET attempts = webhook_deliveries.attempts + 1, next_attempt_utc = NULL,
                 delivered_utc = excluded.delivered_utc, last_error = NULL
                """;
            cmd.With("@t", target);
            cmd.With("@done", now);
            cmd.ExecuteNonQuery();
            tx.Commit();
            return 0;
        });
        int n = posted.Count;
        lock (deliveredUpTo) deliveredUpTo[target] = posted[^1];
        lock (failingSince) failingSince.Remove(target);
        posted.Clear();
        return n;
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
        lock (failingSince) failingSince.TryAdd(target, now);
    }
}

/// <summary>Runs the dispatcher in the background, every second.</summary>
internal sealed class WebhookService(WebhookDispatcher dispatcher, TimeProvider time, ILogger<WebhookService> logger) : BackgroundService
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
                logger.LogWarning("Webhook dispatch paused: {Message}", e.Message);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
        while (await Rounds.Next(rounds, stoppingToken));
    }
}
