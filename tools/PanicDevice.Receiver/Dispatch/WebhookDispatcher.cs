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

/// <summary>What the API shows about a target's backlog and last failure.</summary>
internal sealed record WebhookStatus(string Target, long Pending, long Delivered, string? LastError);

/// <summary>
/// Delivers every queued event to every webhook target, from the durable queue the frame store fills in
/// the same transaction as the frame. Per target, events go strictly in queue order: a failing target
/// blocks only itself and is retried with backoff (1 s doubling to 5 min), so events arrive in order
/// once it recovers. Each POST carries X-PanicDevice-Event (the queue id, for de-duplication) and
/// X-PanicDevice-Signature: sha256=HMAC(secret, body). Delivery is at-least-once: a crash between a
/// successful POST and recording it repeats that one event, with the same event id.
/// Several receivers may share one PostgreSQL store: per target, only the holder of a lease
/// (webhook_leases, renewed once half of it has run, so always at least <see cref="LeaseTime"/>/2 ahead of a
/// POST that takes at most 10 s; taken over once it has expired) delivers, so each event goes out once and
/// in order, and a receiver that dies hands its targets on after <see cref="LeaseTime"/>. The holder is
/// named for the receiver's machine and data folder, so a restarted receiver takes its own lease back at
/// once instead of waiting it out.
/// </summary>
internal sealed class WebhookDispatcher
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(5);

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
        foreach (WebhookTarget target in targets)
        {
            while (!cancel.IsCancellationRequested && HoldLease(target.Url))
            {
                (long id, string body, int attempts, DateTime? due)? next = NextFor(target.Url);
                if (next == null || (next.Value.due is DateTime d && d > time.GetUtcNow().UtcDateTime))
                {
                    break;
                }
                string? error = await PostAsync(target, next.Value.id, next.Value.body, cancel);
                Record(target.Url, next.Value.id, next.Value.attempts + 1, error);
                if (error != null)
                {
                    break; // keep the order: nothing after this event goes to this target until it succeeds
                }
                lock (deliveredUpTo) deliveredUpTo[target.Url] = next.Value.id;
                delivered++;
            }
        }
        return delivered;
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
            return new WebhookStatus(t.Url, r.GetInt64(0), r.GetInt64(1), r.IsDBNull(2) ? null : r.GetString(2));
        }).ToList();
    }

    private (long, string, int, DateTime?)? NextFor(string target)
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
            ORDER BY q.id LIMIT 1
            """;
        cmd.With("@t", target);
        long after;
        lock (deliveredUpTo) after = deliveredUpTo.TryGetValue(target, out long upTo) ? upTo : 0;
        cmd.With("@after", after);
        using var r = cmd.ExecuteReader();
        if (!r.Read())
        {
            return null;
        }
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
        return (r.GetInt64(0), body, r.GetInt32(12), due);
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

    private void Record(string target, long queueId, int attempts, string? error)
    {
        DateTime now = time.GetUtcNow().UtcDateTime;
        double backoffS = Math.Min(MaxBackoff.TotalSeconds, Math.Pow(2, Math.Min(attempts - 1, 20)));
        using var c = db.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = """
            INSERT INTO webhook_deliveries (queue_id, target, attempts, next_attempt_utc, delivered_utc, last_error)
            VALUES (@q, @t, @a, @next, @done, @err)
            ON CONFLICT (queue_id, target) DO UPDATE SET attempts = @a, next_attempt_utc = @next, delivered_utc = @done, last_error = @err
            """;
        cmd.With("@q", queueId);
        cmd.With("@t", target);
        cmd.With("@a", attempts);
        cmd.With("@next", error == null ? DBNull.Value : now.AddSeconds(backoffS).ToString("O"));
        cmd.With("@done", error == null ? now.ToString("O") : DBNull.Value);
        cmd.With("@err", (object?)error ?? DBNull.Value);
        cmd.ExecuteNonQuery();
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
