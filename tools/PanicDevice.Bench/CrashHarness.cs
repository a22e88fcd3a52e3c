using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using PanicDevice.Core.Protocol;

namespace PanicDevice.Bench;

/// <summary>What one crash-and-count run does: trials (one SIGKILL each), devices, alerts per trial, the seed of the kill moments, and the receiver DLL to start.</summary>
public sealed record CrashOptions(int Trials, int Devices, int Alerts, int Seed, string ReceiverDll)
{
    /// <summary>Alerts each device keeps in flight (sent, not yet acked).</summary>
    public int Window { get; init; } = 8;

    /// <summary>An alert without an ack is sent again (the same bytes) after this long.</summary>
    public TimeSpan ResendAfter { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a trial's alerts (and, at the end, the webhook queue) may take to drain before the run gives up and reports what it has.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long to wait, after the last trial, for the webhook queue to empty (deliveries are sequential, one durable write each: far slower than ingest).</summary>
    public TimeSpan DispatchDrainTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Progress lines (never tokens or secrets); null: quiet.</summary>
    public TextWriter? Log { get; init; }
}

/// <summary>The counts after the last trial drained.</summary>
public sealed record CrashResult(
    int Trials, long Alerts, long Acked, long Stored, long Lost, long NotStored, long StoredDuplicates,
    long QueueRows, long QueueDuplicates, long AlertRowDuplicates,
    long Deliveries, long DistinctEvents, long DuplicatedDispatch, long Redelivered, long Undelivered, long BadSignatures,
    long Strays, bool Drained, IReadOnlyList<double> RecoveryMs, int Seed)
{
    public double RecoveryPercentile(double q)
    {
        if (RecoveryMs.Count == 0) return double.NaN;
        var s = RecoveryMs.OrderBy(x => x).ToList();
        return s[Math.Clamp((int)Math.Ceiling(q * s.Count) - 1, 0, s.Count - 1)];
    }

    public string Line() => FormattableString.Invariant(
        $"trials={Trials} alerts={Alerts} acked={Acked} stored={Stored} lost={Lost} duplicated_dispatch={DuplicatedDispatch} redelivered={Redelivered} queue_duplicates={QueueDuplicates} alert_duplicates={AlertRowDuplicates} recovery_ms_p50={RecoveryPercentile(0.5):F0} recovery_ms_max={RecoveryPercentile(1.0):F0} seed={Seed}");
}

/// <summary>
/// Crash and count: simulated devices (MQTTnet clients behaving like the firmware outbox: every alert
/// resent with the same bytes until its signed ack verifies, reconnecting with backoff) send a burst of
/// alerts to a receiver run as a child process (<c>dotnet PanicDevice.Receiver.dll</c>); in each trial
/// the receiver is killed with SIGKILL when a seeded random share of the burst is acked, then restarted
/// on the same ports and data folder. After the last trial drains, the SQLite store is opened read-only
/// and counted against what the devices saw acked, and a loopback webhook target counts every delivery.
/// Shared by the bench command (<c>crash</c>) and the short test.
/// </summary>
public static class CrashHarness
{
    public static async Task<CrashResult> RunAsync(CrashOptions o)
    {
        string data = Path.Combine(Path.GetTempPath(), "pd-crash-" + Environment.ProcessId + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(data);
        int httpPort = IngestBenchmark.FreePort(), mqttPort = IngestBenchmark.FreePort(), hookPort = IngestBenchmark.FreePort();
        string token = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        string secret = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var args = new List<string>
        {
            o.ReceiverDll, "--urls", "http://127.0.0.1:" + httpPort, "--mqtt-port", mqttPort.ToString(CultureInfo.InvariantCulture), "--data", data,
            "--operator-token", token, "--Receiver:Webhooks:0:Url", $"http://127.0.0.1:{hookPort}/hook/", "--Receiver:Webhooks:0:Secret", secret,
            "--Logging:LogLevel:Default", "Warning",
        };
        using var hooks = new WebhookRecorder(hookPort, secret);
        using var http = new HttpClient { BaseAddress = new Uri("http://127.0.0.1:" + httpPort) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var receiver = new ReceiverProcess(args);
        var clock = new AckClock();
        var devices = Enumerable.Range(0, o.Devices).Select(i =>
        {
            string id = "crash-" + i.ToString("D6", CultureInfo.InvariantCulture);
            return new CrashDevice(id, BenchDevice.KeyFor(id), mqttPort, o.Window, o.ResendAfter, clock);
        }).ToList();
        using var stop = new CancellationTokenSource();
        var loops = new List<Task>();
        var rng = new Random(o.Seed);
        var recovery = new List<double>();
        bool drained = true;
        try
        {
            receiver.Start();
            await receiver.WaitHealthyAsync(http, TimeSpan.FromSeconds(60));
            foreach (CrashDevice d in devices)
            {
                using var response = await http.PostAsJsonAsync("/api/devices", new { id = d.Id, key = Convert.ToHexString(d.Key), kind = "fob", ownerName = "crash bench" });
                response.EnsureSuccessStatusCode();
            }
            loops.AddRange(devices.Select(d => Task.Run(() => d.RunAsync(stop.Token))));
            long enqueued = 0;
            for (int trial = 1; trial <= o.Trials; trial++)
            {
                long before = clock.Acked;
                double share = 0.05 + 0.85 * rng.NextDouble();
                long killAt = before + Math.Max(1, (long)(o.Alerts * share));
                for (int i = 0; i < devices.Count; i++)
                {
                    devices[i].Enqueue(o.Alerts / devices.Count + (i < o.Alerts % devices.Count ? 1 : 0));
                }
                enqueued += o.Alerts;
                var deadline = Stopwatch.StartNew();
                while (clock.Acked < killAt && deadline.Elapsed < o.DrainTimeout)
                {
                    await Task.Delay(1);
                }
                long ackedAtKill = clock.Acked;
                receiver.Kill();
                clock.Restarted();
                long restart = Stopwatch.GetTimestamp();
                receiver.Start();
                long? first = await clock.FirstAckAfterRestartAsync(o.DrainTimeout);
                double ms = first is long f ? Stopwatch.GetElapsedTime(restart, f).TotalMilliseconds : double.NaN;
                if (first != null) recovery.Add(ms);
                bool trialDrained = await WaitAsync(() => clock.Acked >= enqueued, o.DrainTimeout);
                drained &= trialDrained;
                o.Log?.WriteLine(FormattableString.Invariant(
                    $"trial {trial}: killed at {ackedAtKill - before}/{o.Alerts} acked ({share:P0} target), first ack {ms:F0} ms after restart, drained={trialDrained}"));
            }
            // the webhook queue: everything queued delivered, then a quiet second for late repeats
            string dbPath = Path.Combine(data, "receiver.db");
            bool hooksDrained = await WaitAsync(() => Undelivered(dbPath) == 0, o.DispatchDrainTimeout);
            drained &= hooksDrained;
            o.Log?.WriteLine($"webhook queue drained={hooksDrained}");
            await Task.Delay(1000);
            stop.Cancel();
            await Task.WhenAll(loops);
            return Count(o, dbPath, devices, hooks, drained, recovery);
        }
        finally
        {
            stop.Cancel();
            receiver.Kill();
            foreach (CrashDevice d in devices) d.Dispose();
            SqliteConnection.ClearAllPools();
            try { Directory.Delete(data, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static async Task<bool> WaitAsync(Func<bool> done, TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        while (!done())
        {
            if (sw.Elapsed > timeout) return false;
            await Task.Delay(20);
        }
        return true;
    }

    private static SqliteConnection OpenReadOnly(string path)
    {
        var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        c.Open();
        return c;
    }

    private static long Scalar(SqliteConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToInt64(cmd.ExecuteScalar() ?? 0L, CultureInfo.InvariantCulture);
    }

    private static long Undelivered(string dbPath)
    {
        try
        {
            using var c = OpenReadOnly(dbPath);
            return Scalar(c, "SELECT COUNT(*) FROM dispatch_queue q WHERE NOT EXISTS (SELECT 1 FROM webhook_deliveries w WHERE w.queue_id = q.id AND w.delivered_utc IS NOT NULL)");
        }
        catch (SqliteException)
        {
            return -1; // busy or not there yet: ask again
        }
    }

    private static CrashResult Count(CrashOptions o, string dbPath, List<CrashDevice> devices, WebhookRecorder hooks, bool drained, List<double> recovery)
    {
        using var c = OpenReadOnly(dbPath);
        var stored = new HashSet<(string, long)>();
        long rows = 0;
        using (var cmd = c.CreateCommand())
        {
            cmd.CommandText = "SELECT device_id, counter FROM frames WHERE device_id LIKE 'crash-%' AND kind = $k";
            cmd.Parameters.AddWithValue("$k", (int)MessageKind.Alert);
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                rows++;
                stored.Add((r.GetString(0), r.GetInt64(1)));
            }
        }
        long acked = 0, lost = 0, notStored = 0, alerts = 0;
        foreach (CrashDevice d in devices)
        {
            for (uint counter = 1; counter <= d.Enqueued; counter++)
            {
                alerts++;
                bool isStored = stored.Contains((d.Id, counter));
                if (d.IsAcked(counter))
                {
                    acked++;
                    if (!isStored) lost++;
                }
                if (!isStored) notStored++;
            }
        }
        long queueRows = Scalar(c, "SELECT COUNT(*) FROM dispatch_queue WHERE device_id LIKE 'crash-%'");
        long queueDuplicates = Scalar(c, "SELECT COALESCE(SUM(n - 1), 0) FROM (SELECT COUNT(*) AS n FROM dispatch_queue WHERE device_id LIKE 'crash-%' GROUP BY device_id, counter HAVING n > 1)");
        long alertDuplicates = Scalar(c, "SELECT COALESCE(SUM(n - 1), 0) FROM (SELECT COUNT(*) AS n FROM alerts WHERE device_id LIKE 'crash-%' GROUP BY device_id, counter HAVING n > 1)");
        long undelivered = Scalar(c, "SELECT COUNT(*) FROM dispatch_queue q WHERE NOT EXISTS (SELECT 1 FROM webhook_deliveries w WHERE w.queue_id = q.id AND w.delivered_utc IS NOT NULL)");
        var h = hooks.Snapshot();
        return new CrashResult(o.Trials, alerts, acked, stored.Count, lost, notStored, rows - stored.Count,
            queueRows, queueDuplicates, alertDuplicates,
            h.Deliveries, h.DistinctEvents, h.DuplicatedEvents, h.Redelivered, undelivered, h.BadSignatures,
            devices.Sum(d => d.Strays), drained, recovery, o.Seed);
    }

    /// <summary>First verified ack on a connection made after the latest restart (acks still in flight from the killed process do not count).</summary>
    internal sealed class AckClock
    {
        private long acked;
        private int epoch;
        private TaskCompletionSource<long> firstAfterRestart = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public long Acked => Interlocked.Read(ref acked);

        public int Epoch => Volatile.Read(ref epoch);

        public void Restarted()
        {
            Interlocked.Exchange(ref firstAfterRestart, new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously));
            Interlocked.Increment(ref epoch);
        }

        public void Ack(int connectionEpoch, bool first)
        {
            long now = Stopwatch.GetTimestamp();
            if (first) Interlocked.Increment(ref acked);
            if (connectionEpoch == Epoch) Volatile.Read(ref firstAfterRestart).TrySetResult(now);
        }

        public async Task<long?> FirstAckAfterRestartAsync(TimeSpan timeout)
        {
            try
            {
                return await Volatile.Read(ref firstAfterRestart).Task.WaitAsync(timeout);
            }
            catch (TimeoutException)
            {
                return null;
            }
        }
    }

    /// <summary>The receiver as a child process; stdout and stderr are read and dropped (the tail is kept for a start failure).</summary>
    internal sealed class ReceiverProcess(List<string> args)
    {
        private readonly Queue<string> tail = new();
        private Process? process;

        public void Start()
        {
            var psi = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(args[0])! };
            foreach (string a in args) psi.ArgumentList.Add(a);
            psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
            var p = new Process { StartInfo = psi };
            p.OutputDataReceived += (_, e) => Keep(e.Data);
            p.ErrorDataReceived += (_, e) => Keep(e.Data);
            p.Start();
            p.BeginOutputReadLine();
            p.BeginErrorReadLine();
            process = p;
        }

        private void Keep(string? line)
        {
            if (line == null) return;
            lock (tail)
            {
                tail.Enqueue(line);
                while (tail.Count > 20) tail.Dequeue();
            }
        }

        public async Task WaitHealthyAsync(HttpClient http, TimeSpan timeout)
        {
            var sw = Stopwatch.StartNew();
            while (sw.Elapsed < timeout)
            {
                if (process!.HasExited)
                {
                    break;
                }
                try
                {
                    using var r = await http.GetAsync("/healthz");
                    if (r.IsSuccessStatusCode) return;
                }
                catch (HttpRequestException)
                {
                }
                await Task.Delay(50);
            }
            string last;
            lock (tail) last = string.Join(Environment.NewLine, tail);
            throw new InvalidOperationException("the receiver did not become healthy; its last output:" + Environment.NewLine + last);
        }

        /// <summary>SIGKILL on Linux; waits until the process is gone.</summary>
        public void Kill()
        {
            Process? p = process;
            process = null;
            if (p == null) return;
            try
            {
                if (!p.HasExited) p.Kill();
                p.WaitForExit();
            }
            catch (InvalidOperationException)
            {
            }
            p.Dispose();
        }
    }

    /// <summary>One device with the outbox's behaviour: numbered alerts, each sent until its ack verifies, surviving reconnects.</summary>
    internal sealed class CrashDevice : IDisposable
    {
        private readonly object gate = new();
        private readonly List<byte[]> frames = new();
        private readonly List<bool> acked = new();
        private readonly List<long> sentAt = new(); // 0: due now
        private readonly List<long> ackedAt = new(); // Stopwatch timestamp of the first verified ack; 0: none yet
        private readonly int port;
        private readonly int window;
        private readonly long resendTicks;
        private readonly AckClock clock;
        private readonly SemaphoreSlim wake = new(0);
        private readonly string uplink;
        private IMqttClient? client;
        private int connectionEpoch = -1;
        private int nextNew; // index of the first alert never sent
        private int outstanding;

        public int Strays;

        public CrashDevice(string id, byte[] key, int port, int window, TimeSpan resendAfter, AckClock clock)
        {
            Id = id;
            Key = key;
            this.port = port;
            this.window = window;
            resendTicks = (long)(resendAfter.TotalSeconds * Stopwatch.Frequency);
            this.clock = clock;
            uplink = Topics.Uplink(id);
        }

        public string Id { get; }

        public byte[] Key { get; }

        public bool IsConnected => client?.IsConnected == true;

        public int Enqueued
        {
            get { lock (gate) return frames.Count; }
        }

        public bool IsAcked(uint counter)
        {
            lock (gate) return counter >= 1 && counter <= acked.Count && acked[(int)counter - 1];
        }

        /// <summary>Counters sent at least once and not yet acked: what a receiver that dies now may have taken with it.</summary>
        public List<uint> InFlight()
        {
            var list = new List<uint>();
            lock (gate)
            {
                for (int i = 0; i < nextNew; i++)
                {
                    if (!acked[i]) list.Add((uint)i + 1);
                }
            }
            return list;
        }

        /// <summary>When the first verified ack for this counter arrived (a Stopwatch timestamp), or null.</summary>
        public long? AckedAt(uint counter)
        {
            lock (gate) return counter >= 1 && counter <= ackedAt.Count && ackedAt[(int)counter - 1] != 0 ? ackedAt[(int)counter - 1] : null;
        }

        public void Enqueue(int count)
        {
            lock (gate)
            {
                for (int i = 0; i < count; i++)
                {
                    uint counter = (uint)frames.Count + 1;
                    Frame f = Frame.Create(MessageKind.Alert, Id, counter, (byte)AlertCode.Test);
                    f.TimeUtcSeconds = (uint)DateTimeOffset.UtcNow.ToUnixTimeSeconds();
                    frames.Add(FrameCodec.Encode(f, Key));
                    acked.Add(false);
                    sentAt.Add(0);
                    ackedAt.Add(0);
                }
            }
            wake.Release();
        }

        public async Task RunAsync(CancellationToken stop)
        {
            TimeSpan backoff = TimeSpan.FromMilliseconds(50);
            while (!stop.IsCancellationRequested)
            {
                if (client is not { IsConnected: true })
                {
                    if (await ConnectAsync(stop))
                    {
                        backoff = TimeSpan.FromMilliseconds(50);
                    }
                    else
                    {
                        await Task.Delay(backoff, stop).ContinueWith(_ => { });
                        backoff = TimeSpan.FromMilliseconds(Math.Min(backoff.TotalMilliseconds * 2, 500));
                        continue;
                    }
                }
                List<byte[]> due = Due();
                if (due.Count > 0)
                {
                    IMqttClient c = client!;
                    try
                    {
                        await Task.WhenAll(due.Select(p => c.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(uplink).WithPayload(p)
                            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), stop)));
                    }
                    catch (Exception e) when (e is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException or InvalidOperationException or ObjectDisposedException)
                    {
                        // the receiver went away: reconnect; what was not acked stays due
                        continue;
                    }
                }
                await wake.WaitAsync(TimeSpan.FromMilliseconds(100), stop).ContinueWith(_ => { });
            }
        }

        /// <summary>Alerts to send now: unacked ones never sent on this connection or past the resend time, then new ones while the window has room.</summary>
        private List<byte[]> Due()
        {
            long now = Stopwatch.GetTimestamp();
            var due = new List<byte[]>();
            lock (gate)
            {
                for (int i = 0; i < nextNew; i++)
                {
                    if (!acked[i] && (sentAt[i] == 0 || now - sentAt[i] > resendTicks))
                    {
                        sentAt[i] = now;
                        due.Add(frames[i]);
                    }
                }
                while (outstanding < window && nextNew < frames.Count)
                {
                    sentAt[nextNew] = now;
                    due.Add(frames[nextNew++]);
                    outstanding++;
                }
            }
            return due;
        }

        private async Task<bool> ConnectAsync(CancellationToken stop)
        {
            client?.Dispose();
            int epoch = clock.Epoch;
            var c = new MqttClientFactory().CreateMqttClient();
            c.ApplicationMessageReceivedAsync += e => OnMessage(e, epoch);
            client = c;
            var options = BenchDevice.LoginOptions(Id, Key, port, TimeSpan.FromSeconds(10));
            try
            {
                await c.ConnectAsync(options, stop);
                await c.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(Topics.Downlink(Id), MqttQualityOfServiceLevel.AtLeastOnce).Build(), stop);
            }
            catch (Exception e) when (e is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException or InvalidOperationException or MQTTnet.Adapter.MqttConnectingFailedException)
            {
                return false;
            }
            connectionEpoch = epoch;
            lock (gate)
            {
                // a new connection: everything in flight is sent again now (its acks may have gone with the old one)
                for (int i = 0; i < nextNew; i++) sentAt[i] = 0;
            }
            return true;
        }

        private Task OnMessage(MqttApplicationMessageReceivedEventArgs e, int epoch)
        {
            DecodeResult r = FrameCodec.DecodeAndVerify(e.ApplicationMessage.Payload.ToArray(), Key);
            if (!r.IsOk)
            {
                Interlocked.Increment(ref Strays);
                return Task.CompletedTask;
            }
            uint counter = r.Frame.Counter;
            bool first = false;
            lock (gate)
            {
                if (counter < 1 || counter > nextNew)
                {
                    Interlocked.Increment(ref Strays);
                    return Task.CompletedTask;
                }
                if (!acked[(int)counter - 1])
                {
                    acked[(int)counter - 1] = true;
                    ackedAt[(int)counter - 1] = Stopwatch.GetTimestamp();
                    outstanding--;
                    first = true;
                }
            }
            clock.Ack(epoch, first);
            wake.Release();
            return Task.CompletedTask;
        }

        public void Dispose()
        {
            client?.Dispose();
            wake.Dispose();
        }
    }

    /// <summary>
    /// The webhook target: an HttpListener on loopback (any path under /hook/) recording (path, event id, device, counter, type)
    /// of every delivery and checking its signature. An event is known by path and event id: receivers with stores of their
    /// own are given a path each (their event ids are numbered per store), receivers sharing a store one path.
    /// </summary>
    internal sealed class WebhookRecorder : IDisposable
    {
        private readonly HttpListener listener = new();
        private readonly byte[] secret;
        private readonly List<(string Path, long EventId, string Device, long Counter, string Type)> deliveries = new();
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
                    var d = (ctx.Request.Url?.AbsolutePath ?? "", root.GetProperty("eventId").GetInt64(), root.GetProperty("device").GetString() ?? "", root.GetProperty("counter").GetInt64(), root.GetProperty("type").GetString() ?? "");
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
}
