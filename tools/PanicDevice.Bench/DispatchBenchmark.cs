using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using PanicDevice.Bench.Engines;
using PanicDevice.Core.Protocol;
using PanicDevice.Receiver;
using PanicDevice.Receiver.Dispatch;
using PanicDevice.Receiver.Pipeline;
using PanicDevice.Receiver.Registry;
using PanicDevice.Receiver.Storage;

namespace PanicDevice.Bench;

/// <summary>
/// Webhook dispatch to one loopback target (<see cref="WebhookRecorder"/>: signatures checked, every event recorded).
/// Two phases on one store: a backlog of --events alerts stored first and then drained (events_per_s: the
/// dispatcher's own rate), and a burst of --events more stored while the dispatcher runs (drain_s: from the last
/// store to the last delivery, what a dispatch system waits after a mass event).
/// </summary>
public static class DispatchBenchmark
{
    public static async Task<int> RunAsync(int events, int devices, string? storeUrl)
    {
        const string secret = "bench-webhook-secret-0123456789";
        int hookPort = LoopbackPorts.Free();
        using var target = new WebhookRecorder(hookPort, secret);
        // Not started: the bench drives the dispatcher itself, so nothing else (the one-second service) competes.
        await using var rx = InProcessReceiver.Build("dispatch", storeUrl,
            "--Receiver:Webhooks:0:Url", $"http://127.0.0.1:{hookPort}/hook/", "--Receiver:Webhooks:0:Secret", secret);
        string engine = rx.Engine;
        var registry = rx.Service<DeviceRegistry>();
        var pipeline = rx.Service<IngestPipeline>();
        var dispatcher = rx.Service<QueueDispatcher>();
        var keys = new byte[devices][];
        for (int d = 0; d < devices; d++)
        {
            keys[d] = BenchDevice.KeyFor(BenchDevice.IdFor(d));
            registry.Upsert(new DeviceRecord { Id = BenchDevice.IdFor(d), Key = new DeviceKey(keys[d]) });
        }
        var counters = new uint[devices];

        // Phase 1: a backlog, then the dispatcher alone.
        await StoreAsync(pipeline, keys, counters, events);
        var drain = Stopwatch.StartNew();
        while (target.Count < events)
        {
            if (await dispatcher.RunOnceAsync(CancellationToken.None) == 0 && target.Count < events)
            {
                throw new InvalidOperationException("the dispatcher stopped with " + target.Count + " of " + events + " delivered: " + dispatcher.Status()[0].LastError);
            }
        }
        double backlogS = drain.Elapsed.TotalSeconds;

        // Phase 2: a burst stored while the dispatcher runs (as the receiver's service does, round after round).
        using var stop = new CancellationTokenSource();
        var rounds = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                if (await dispatcher.RunOnceAsync(stop.Token) == 0)
                {
                    await Task.Delay(1, stop.Token).ContinueWith(_ => { });
                }
            }
        });
        var burst = Stopwatch.StartNew();
        await StoreAsync(pipeline, keys, counters, events);
        double storedS = burst.Elapsed.TotalSeconds;
        long lastStored = Stopwatch.GetTimestamp();
        var deadline = Stopwatch.StartNew();
        while (target.Count < 2 * events && deadline.Elapsed < TimeSpan.FromSeconds(600))
        {
            await Task.Delay(5);
        }
        double drainS = Stopwatch.GetElapsedTime(lastStored).TotalSeconds;
        stop.Cancel();
        await rounds;

        double bare = await BarePostsPerSecondAsync(secret, Math.Min(events, 5000));
        var (deliveries, distinct, duplicated, redelivered, badSignatures) = target.Snapshot();
        bool inOrder = target.Received().Select(x => x.EventId).Zip(target.Received().Select(x => x.EventId).Skip(1)).All(p => p.First < p.Second);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"dispatch store={engine} events={2 * events} devices={devices} events_per_s={events / backlogS:0} bare_posts_per_s={bare:0} backlog_s={backlogS:0.00} burst_store_s={storedS:0.00} drain_s={drainS:0.00} delivered={distinct} redelivered={redelivered} duplicated={duplicated} bad_signatures={badSignatures} in_queue_order={inOrder}"));
        return distinct == 2 * events && duplicated == 0 && badSignatures == 0 ? 0 : 1;
    }

    // The same kind of signed POST, one after another on one kept-alive connection, to a target of its own, without a
    // store: the ceiling a sequential, in-order dispatcher can reach on this machine.
    private static async Task<double> BarePostsPerSecondAsync(string secret, int posts)
    {
        int port = LoopbackPorts.Free();
        using var target = new WebhookRecorder(port, secret);
        using var http = new HttpClient();
        byte[] key = System.Text.Encoding.UTF8.GetBytes(secret);
        var clock = Stopwatch.StartNew();
        for (int i = 1; i <= posts; i++)
        {
            string body = "{\"eventId\":" + i + ",\"type\":\"alert\",\"device\":\"bench-0001\",\"counter\":" + i + ",\"kind\":1,\"code\":1,\"lat\":null,\"lon\":null,\"accuracyM\":null,\"path\":\"mqtt\",\"receivedUtc\":\"2026-12-04T03:00:00.0000000Z\"}";
            using var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{port}/hook/") { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
            request.Headers.Add("X-PanicDevice-Event", i.ToString(CultureInfo.InvariantCulture));
            request.Headers.Add("X-PanicDevice-Signature", "sha256=" + Convert.ToHexString(System.Security.Cryptography.HMACSHA256.HashData(key, System.Text.Encoding.UTF8.GetBytes(body))).ToLowerInvariant());
            using var response = await http.SendAsync(request);
            response.EnsureSuccessStatusCode();
        }
        return posts / clock.Elapsed.TotalSeconds;
    }

    // Every device alerts in turn until `count` alerts are stored (group commit, as the broker's path stores them).
    private static async Task StoreAsync(IngestPipeline pipeline, byte[][] keys, uint[] counters, int count)
    {
        int devices = keys.Length;
        var tasks = new List<Task>();
        for (int d = 0; d < devices; d++)
        {
            int device = d;
            int mine = count / devices + (device < count % devices ? 1 : 0);
            tasks.Add(Task.Run(async () =>
            {
                string id = BenchDevice.IdFor(device);
                for (int i = 0; i < mine; i++)
                {
                    byte[] payload = FrameCodec.Encode(Frame.Create(MessageKind.Alert, id, ++counters[device], (byte)AlertCode.Test), keys[device]);
                    IngestResult r = await pipeline.ProcessAsync(payload, id, IngestPath.Mqtt);
                    if (r.Status != IngestStatus.Stored)
                    {
                        throw new InvalidOperationException(id + " counter " + counters[device] + ": " + r.Status + " " + r.Reason);
                    }
                }
            }));
        }
        await Task.WhenAll(tasks);
    }
}
