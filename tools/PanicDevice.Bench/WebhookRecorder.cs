using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace PanicDevice.Bench;

/// <summary>One accepted webhook delivery, in arrival order; Path tells targets apart (event ids are per store).</summary>
public sealed record WebhookDelivery(long EventId, string Device, long Counter, string Type, int Kind, string Path = "/hook/");

/// <summary>
/// The webhook target: an HttpListener on loopback recording (event id, device, counter, type, frame kind) of
/// every delivery and checking its signature. It can also be down: answering 503, or not listening at all.
/// </summary>
public sealed class WebhookRecorder : IDisposable
{
    private readonly string prefix;
    private readonly byte[] secret;
    private readonly List<WebhookDelivery> deliveries = new();
    private HttpListener listener = new();
    private long badSignatures;
    private long turnedAway;

    public WebhookRecorder(int port, string secret)
    {
        this.secret = Encoding.UTF8.GetBytes(secret);
        prefix = $"http://127.0.0.1:{port}/hook/";
        Listen();
    }

    /// <summary>While true, every request is answered 503 and not recorded.</summary>
    public bool Unavailable { get; set; }

    /// <summary>Requests answered 503 while <see cref="Unavailable"/>.</summary>
    public long TurnedAway => Interlocked.Read(ref turnedAway);

    /// <summary>Stops listening: connections are refused until <see cref="Listen"/>.</summary>
    public void Refuse()
    {
        try { listener.Stop(); listener.Close(); } catch (ObjectDisposedException) { }
    }

    /// <summary>Listens (again) on the same port.</summary>
    public void Listen()
    {
        var l = new HttpListener();
        l.Prefixes.Add(prefix);
        l.Start();
        listener = l;
        _ = Task.Run(() => LoopAsync(l));
    }

    private long lastArrival;

    /// <summary>When the last delivery was accepted (a Stopwatch timestamp; 0: none yet).</summary>
    public long LastArrival => Interlocked.Read(ref lastArrival);

    /// <summary>How many deliveries were accepted so far (repeats included); cheap enough to poll.</summary>
    public int Count
    {
        get { lock (deliveries) return deliveries.Count; }
    }

    /// <summary>The deliveries accepted so far, in arrival order.</summary>
    public List<WebhookDelivery> Received()
    {
        lock (deliveries) return deliveries.ToList();
    }

    private async Task LoopAsync(HttpListener listener)
    {
        while (listener.IsListening)
        {
            HttpListenerContext ctx;
            try
            {
                ctx = await listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            try
            {
                using var ms = new MemoryStream();
                await ctx.Request.InputStream.CopyToAsync(ms);
                byte[] body = ms.ToArray();
                if (Unavailable)
                {
                    Interlocked.Increment(ref turnedAway);
                    ctx.Response.StatusCode = 503;
                    try { ctx.Response.Close(); } catch (Exception e) when (e is HttpListenerException or ObjectDisposedException) { }
                    continue;
                }
                string expected = "sha256=" + Convert.ToHexString(HMACSHA256.HashData(secret, body)).ToLowerInvariant();
                if (ctx.Request.Headers["X-PanicDevice-Signature"] != expected)
                {
                    Interlocked.Increment(ref badSignatures);
                }
                using var doc = JsonDocument.Parse(body);
                JsonElement root = doc.RootElement;
                var d = new WebhookDelivery(root.GetProperty("eventId").GetInt64(), root.GetProperty("device").GetString() ?? "", root.GetProperty("counter").GetInt64(),
                    root.GetProperty("type").GetString() ?? "", root.GetProperty("kind").GetInt32(), ctx.Request.Url?.AbsolutePath ?? "");
                lock (deliveries) deliveries.Add(d);
                Interlocked.Exchange(ref lastArrival, System.Diagnostics.Stopwatch.GetTimestamp());
                ctx.Response.StatusCode = 200;
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or IOException or HttpListenerException)
            {
                ctx.Response.StatusCode = 400;
            }
            try { ctx.Response.Close(); } catch (Exception e) when (e is HttpListenerException or ObjectDisposedException) { }
        }
    }

    /// <summary>Deliveries; distinct event ids; extra distinct events for one (device, counter, type) — a duplicated dispatch; repeats of one event id — at-least-once redelivery a consumer drops by X-PanicDevice-Event.</summary>
    public (long Deliveries, long DistinctEvents, long DuplicatedEvents, long Redelivered, long BadSignatures) Snapshot()
    {
        lock (deliveries)
        {
            // An event is (target path, event id): receivers with stores of their own number their events independently.
            long distinct = deliveries.Select(x => (x.Path, x.EventId)).Distinct().LongCount();
            long duplicated = deliveries.GroupBy(x => (x.Device, x.Counter, x.Type)).Sum(g => (long)g.Select(x => (x.Path, x.EventId)).Distinct().Count() - 1);
            return (deliveries.Count, distinct, duplicated, deliveries.Count - distinct, Interlocked.Read(ref badSignatures));
        }
    }

    public void Dispose()
    {
        try { listener.Stop(); listener.Close(); } catch (ObjectDisposedException) { }
    }
}
