using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace PanicDevice.Bench;

/// <summary>The webhook target: an HttpListener on loopback recording (event id, device, counter, type) of every delivery and checking its signature.</summary>
public sealed class WebhookRecorder : IDisposable
{
    private readonly HttpListener listener = new();
    private readonly byte[] secret;
    private readonly List<(long EventId, string Device, long Counter, string Type)> deliveries = new();
    private long badSignatures;

    public WebhookRecorder(int port, string secret)
    {
        this.secret = Encoding.UTF8.GetBytes(secret);
        listener.Prefixes.Add($"http://127.0.0.1:{port}/hook/");
        listener.Start();
        _ = Task.Run(LoopAsync);
    }

    private async Task LoopAsync()
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
                string expected = "sha256=" + Convert.ToHexString(HMACSHA256.HashData(secret, body)).ToLowerInvariant();
                if (ctx.Request.Headers["X-PanicDevice-Signature"] != expected)
                {
                    Interlocked.Increment(ref badSignatures);
                }
                using var doc = JsonDocument.Parse(body);
                JsonElement root = doc.RootElement;
                var d = (root.GetProperty("eventId").GetInt64(), root.GetProperty("device").GetString() ?? "", root.GetProperty("counter").GetInt64(), root.GetProperty("type").GetString() ?? "");
                lock (deliveries) deliveries.Add(d);
                ctx.Response.StatusCode = 200;
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or IOException or HttpListenerException)
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
            long distinct = deliveries.Select(x => x.EventId).Distinct().LongCount();
            long duplicated = deliveries.GroupBy(x => (x.Device, x.Counter, x.Type)).Sum(g => (long)g.Select(x => x.EventId).Distinct().Count() - 1);
            return (deliveries.Count, distinct, duplicated, deliveries.Count - distinct, Interlocked.Read(ref badSignatures));
        }
    }

    public void Dispose()
    {
        try { listener.Stop(); listener.Close(); } catch (ObjectDisposedException) { }
    }
}
