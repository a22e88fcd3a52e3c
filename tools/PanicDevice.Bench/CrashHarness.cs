using PanicDevice.Bench.Engines;
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
using PanicDevice.Receiver.Dispatch.Dc09;

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
    /// <summary>Alarm messages the ARC acknowledged, repeats of an acknowledged alarm, and stored alerts it never got.</summary>
    public long ArcMessages { get; init; }

    public long ArcRepeated { get; init; }

    public long ArcMissing { get; init; }

    /// <summary>Kills that came when every alert of the trial had been acked (the dying receiver's last acks arrived): nothing to recover, no recovery time.</summary>
    public int KillsAfterLastAck { get; init; }

    /// <summary>ARC messages that failed its checks (CRC, length, decryption).</summary>
    public long ArcRejected { get; init; }

    public double RecoveryPercentile(double q)
    {
        if (RecoveryMs.Count == 0) return double.NaN;
        var s = RecoveryMs.OrderBy(x => x).ToList();
        return s[Math.Clamp((int)Math.Ceiling(q * s.Count) - 1, 0, s.Count - 1)];
    }

    public string Line() => FormattableString.Invariant(
        $"trials={Trials} alerts={Alerts} acked={Acked} stored={Stored} lost={Lost} duplicated_dispatch={DuplicatedDispatch} redelivered={Redelivered} queue_duplicates={QueueDuplicates} alert_duplicates={AlertRowDuplicates} recovery_ms_p50={RecoveryPercentile(0.5):F0} recovery_ms_max={RecoveryPercentile(1.0):F0} kills_after_last_ack={KillsAfterLastAck} arc_messages={ArcMessages} arc_repeated={ArcRepeated} arc_missing={ArcMissing} seed={Seed}");
}

/// <summary>
/// Crash and count: simulated devices (MQTTnet clients behaving like the firmware outbox: every alert
/// resent with the same bytes until its signed ack verifies, reconnecting with backoff) send a burst of
/// alerts to a receiver run as a child process (<c>dotnet PanicDevice.Receiver.dll</c>); in each trial
/// the receiver is killed with SIGKILL when a seeded random share of the burst is acked, then restarted
/// on the same ports and data folder. After the last trial drains, the SQLite store is opened read-only
/// and counted against what the devices saw acked, a loopback webhook target counts every delivery, and a loopback
/// alarm receiving centre (DC-09, encrypted account, one zone per device) counts every alarm it acknowledged.
/// Shared by the bench command (<c>crash</c>) and the short test.
/// </summary>
public static class CrashHarness
{
    public static async Task<CrashResult> RunAsync(CrashOptions o)
    {
        string data = Path.Combine(Path.GetTempPath(), "pd-crash-" + Environment.ProcessId + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(data);
        int httpPort = LoopbackPorts.Free(), mqttPort = LoopbackPorts.Free(), hookPort = LoopbackPorts.Free(), arcPort = LoopbackPorts.Free();
        byte[] arcKey = RandomNumberGenerator.GetBytes(32);
        string token = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        string secret = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var args = new List<string>
        {
            o.ReceiverDll, "--urls", "http://127.0.0.1:" + httpPort, "--mqtt-port", mqttPort.ToString(CultureInfo.InvariantCulture), "--data", data,
            "--operator-token", token, "--Receiver:Webhooks:0:Url", $"http://127.0.0.1:{hookPort}/hook/", "--Receiver:Webhooks:0:Secret", secret,
            "--Logging:LogLevel:Default", "Warning",
            // Nobody acknowledges a bench's alerts: escalation events would be dispatch beyond the one per alert it counts.
            "--escalate-after", "0", "--incident-window", "0", // and it counts one alert row per press
            "--Receiver:Arcs:0:Name", "crash", "--Receiver:Arcs:0:Host", "127.0.0.1", "--Receiver:Arcs:0:Port", arcPort.ToString(CultureInfo.InvariantCulture),
            "--Receiver:Arcs:0:LinePrefix", "1", "--Receiver:Arcs:0:Accounts:0:Account", ArcAccount, "--Receiver:Arcs:0:Accounts:0:Key", Convert.ToHexString(arcKey),
        };
        for (int i = 0; i < o.Devices; i++)
        {
            args.Add("--Receiver:Arcs:0:Accounts:0:Zones:" + DeviceId(i));
            args.Add((i + 1).ToString(CultureInfo.InvariantCulture));
        }
        using var hooks = new WebhookRecorder(hookPort, secret);
        await using var arc = new ArcRecorder(arcPort, new Dictionary<string, byte[]?> { [ArcAccount] = arcKey });
        using var http = new HttpClient { BaseAddress = new Uri("http://127.0.0.1:" + httpPort) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var receiver = new ReceiverProcess(args);
        var clock = new AckClock();
        var devices = Enumerable.Range(0, o.Devices).Select(i =>
        {
            string id = DeviceId(i);
            return new OutboxDevice(id, BenchDevice.KeyFor(id), mqttPort, o.Window, o.ResendAfter, clock);
        }).ToList();
        using var stop = new CancellationTokenSource();
        var loops = new DeviceLoops();
        var rng = new Random(o.Seed);
        var recovery = new List<double>();
        int killsAfterLastAck = 0;
        bool drained = true;
        try
        {
            receiver.Start();
            await receiver.WaitHealthyAsync(http, TimeSpan.FromSeconds(60));
            foreach (OutboxDevice d in devices)
            {
                using var response = await http.PostAsJsonAsync("/api/devices", new { id = d.Id, key = Convert.ToHexString(d.Key), kind = "fob", ownerName = "crash bench" });
                response.EnsureSuccessStatusCode();
            }
            loops.Start(devices, stop.Token);
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
                var stall = new StallWatch(clock.Acked);
                var killed = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
                void KillNow()
                {
                    // the count when the signal went; acks the receiver had already written still arrive while it dies
                    long at = clock.Acked;
                    receiver.Kill();
                    killed.TrySetResult(at);
                }
                clock.At(killAt, KillNow);
                while (!killed.Task.IsCompleted && deadline.Elapsed < o.DrainTimeout)
                {
                    await Task.WhenAny(killed.Task, Task.Delay(100));
                    loops.ThrowIfAnyFailed();
                    if (stall.StalledFor(clock.Acked, TimeSpan.FromSeconds(20)))
                    {
                        // Say what both sides saw, so a stall can be placed (one caught in a dump was a device loop that had died).
                        o.Log?.WriteLine($"trial {trial}: no ack for 20 s at {clock.Acked - before}/{o.Alerts}; devices connected {devices.Count(d => d.IsConnected)}/{devices.Count}, " +
                            $"with alerts in flight {devices.Count(d => d.InFlight().Any())}; receiver /metrics: {await MetricsSummaryAsync(http)}");
                    }
                }
                if (clock.CancelAt())
                {
                    KillNow(); // the threshold never came: kill it anyway, so the trial ends
                }
                long ackedAtKill = await killed.Task;
                clock.Restarted();
                long restart = Stopwatch.GetTimestamp();
                receiver.Start();
                long? first = await clock.FirstAckAfterRestartAsync(o.DrainTimeout, () => clock.Acked >= enqueued);
                double ms = first is long f ? Stopwatch.GetElapsedTime(restart, f).TotalMilliseconds : double.NaN;
                if (first != null) recovery.Add(ms);
                else if (clock.Acked >= enqueued) killsAfterLastAck++;
                bool trialDrained = await loops.UntilAsync(() => clock.Acked >= enqueued, o.DrainTimeout);
                drained &= trialDrained;
                string firstAck = first != null ? FormattableString.Invariant($"first ack {ms:F0} ms after restart")
                    : clock.Acked >= enqueued ? "nothing left to ack after the kill (no recovery measured)" : "no ack after restart";
                o.Log?.WriteLine(FormattableString.Invariant(
                    $"trial {trial}: killed at {ackedAtKill - before}/{o.Alerts} acked ({share:P0} target), {firstAck}, drained={trialDrained}"));
            }
            // the webhook queue: everything queued delivered, then a quiet second for late repeats
            string dbPath = Path.Combine(data, "receiver.db");
            bool hooksDrained = await loops.UntilAsync(() => Undelivered(dbPath) == 0, o.DispatchDrainTimeout);
            drained &= hooksDrained;
            o.Log?.WriteLine($"dispatch queue (webhook and ARC) drained={hooksDrained}; MQTTnet dispose races taken by the devices: {PanicDevice.Host.MqttClientDisposal.RacesTaken}");
            await Task.Delay(1000);
            stop.Cancel();
            await loops.WhenAll();
            return Count(o, dbPath, devices, hooks, drained, recovery, arc) with { KillsAfterLastAck = killsAfterLastAck };
        }
        finally
        {
            stop.Cancel();
            receiver.Kill();
            foreach (OutboxDevice d in devices) d.Dispose();
            SqliteConnection.ClearAllPools();
            try { Directory.Delete(data, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private const string ArcAccount = "C0FFEE";

    private static string DeviceId(int i) => "crash-" + i.ToString("D6", CultureInfo.InvariantCulture);

    /// <summary>Reports once when the ack count has not moved for a while.</summary>
    private sealed class StallWatch(long acked)
    {
        private long last = acked;
        private long since = Stopwatch.GetTimestamp();
        private bool told;

        public bool StalledFor(long acked, TimeSpan quiet)
        {
            if (acked != last)
            {
                (last, since, told) = (acked, Stopwatch.GetTimestamp(), false);
                return false;
            }
            if (told || Stopwatch.GetElapsedTime(since) < quiet)
            {
                return false;
            }
            told = true;
            return true;
        }
    }

    private static async Task<string> MetricsSummaryAsync(HttpClient http)
    {
        try
        {
            string text = await http.GetStringAsync("/metrics");
            return string.Join(" ", text.Split('\n').Where(l => l.StartsWith("pd_ingest_total", StringComparison.Ordinal) || l.StartsWith("pd_acks_issued_total", StringComparison.Ordinal)
                || l.StartsWith("pd_ingest_duration_seconds_count", StringComparison.Ordinal)));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return "unreachable (" + e.Message + ")";
        }
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

    // Events not yet passed to both targets (the webhook and the ARC).
    private const string UndeliveredSql = "SELECT COUNT(*) FROM dispatch_queue q WHERE (SELECT COUNT(*) FROM webhook_deliveries w WHERE w.queue_id = q.id AND w.delivered_utc IS NOT NULL) < 2";

    private static long Undelivered(string dbPath)
    {
        try
        {
            using var c = OpenReadOnly(dbPath);
            return Scalar(c, UndeliveredSql);
        }
        catch (SqliteException)
        {
            return -1; // busy or not there yet: ask again
        }
    }

    private static CrashResult Count(CrashOptions o, string dbPath, List<OutboxDevice> devices, WebhookRecorder hooks, bool drained, List<double> recovery, ArcRecorder arc)
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
        foreach (OutboxDevice d in devices)
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
        long undelivered = Scalar(c, UndeliveredSql);
        var h = hooks.Snapshot();
        // A Contact ID alarm carries no counter: per device (its zone), the alarms acknowledged against the alerts stored.
        IReadOnlyList<ArcMessage> arcMessages = arc.Messages();
        long arcRepeated = 0, arcMissing = 0;
        for (int i = 0; i < devices.Count; i++)
        {
            string data = ContactIdMapping.ForFrame(MessageKind.Alert, (byte)AlertCode.Test, 1, i + 1)!.Value.Data(ArcAccount); // the devices' alerts are tests
            long got = arcMessages.Count(m => m.Data == data);
            long expected = stored.Count(s => s.Item1 == devices[i].Id);
            arcRepeated += Math.Max(0, got - expected);
            arcMissing += Math.Max(0, expected - got);
        }
        return new CrashResult(o.Trials, alerts, acked, stored.Count, lost, notStored, rows - stored.Count,
            queueRows, queueDuplicates, alertDuplicates,
            h.Deliveries, h.DistinctEvents, h.DuplicatedEvents, h.Redelivered, undelivered, h.BadSignatures,
            devices.Sum(d => d.Strays), drained, recovery, o.Seed)
        {
            ArcMessages = arcMessages.Count,
            ArcRepeated = arcRepeated,
            ArcMissing = arcMissing,
            ArcRejected = arc.Rejected,
        };
    }

    /// <summary>The receiver as a child process; stdout and stderr are read and dropped (the tail is kept for a start failure).</summary>
    internal sealed class ReceiverProcess(List<string> args)
    {
        private readonly Queue<string> tail = new();
        private Process? process;

        /// <summary>The child's process id while it runs (the attack bench reads its resident set).</summary>
        public int? Id => process?.Id;

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
}
