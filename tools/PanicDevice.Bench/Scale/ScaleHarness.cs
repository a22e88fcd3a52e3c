using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;
using PanicDevice.Bench.Engines;

namespace PanicDevice.Bench.Scale;

/// <summary>What one scale run does: receivers behind one mosquitto, devices, alerts in the burst, whether one receiver is SIGKILLed, the store, the receiver DLL.</summary>
public sealed record ScaleOptions(int Receivers, int Devices, int Alerts, bool Kill, string ReceiverDll)
{
    /// <summary>--store URL given to every receiver (store=shared); null: a SQLite file each (store=sqlite-per-receiver).</summary>
    public string? StoreUrl { get; init; }

    /// <summary>Receiver 0 is killed once this share of the burst is acked.</summary>
    public double KillAtShare { get; init; } = 0.4;

    /// <summary>
    /// Receiver 0 is started again this long after its kill, as a service manager would (systemd's Restart=always,
    /// RestartSec); null: it stays down, and the others carry the rest of the burst alone.
    /// </summary>
    public TimeSpan? RestartAfter { get; init; }

    /// <summary>Alerts each device keeps in flight (sent, not yet acked).</summary>
    public int Window { get; init; } = 8;

    /// <summary>An alert without an ack is sent again (the same bytes) after this long: what brings a dead receiver's share to the others.</summary>
    public TimeSpan ResendAfter { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long the burst may take to be acked before the run reports what it has.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long the live receivers' webhook queues may take to empty after the burst.</summary>
    public TimeSpan DispatchDrainTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Progress lines (never tokens or keys); null: quiet.</summary>
    public TextWriter? Log { get; init; }
}

/// <summary>The counts of one scale run.</summary>
public sealed record ScaleResult(
    int Receivers, string StoreMode, bool Killed, long Alerts, long Acked, long Stored, long Lost, long NotStored,
    long StoredDuplicates, long CrossStoreDuplicates, long QueueDuplicates, long AlertRowDuplicates,
    long Deliveries, long DistinctEvents, long DuplicatedDispatch, long Redelivered, long Undelivered, long StrandedUndelivered, long BadSignatures,
    long Strays, bool Drained, double AlertsPerSecond, double ElapsedSeconds, long InFlightAtKill, double RecoveryMs, IReadOnlyList<long> StoredBy)
{
    /// <summary>The summary line: key=value figures, the ones the brief asks for first.</summary>
    public string Line()
    {
        var sb = new StringBuilder();
        sb.Append(FormattableString.Invariant($"alerts_per_s={AlertsPerSecond:F0} lost={Lost} duplicated_dispatch={DuplicatedDispatch} receivers={Receivers} store={StoreMode} killed={(Killed ? 1 : 0)}"));
        sb.Append(FormattableString.Invariant($" alerts={Alerts} acked={Acked} stored={Stored} not_stored={NotStored} stored_duplicates={StoredDuplicates} cross_store_duplicates={CrossStoreDuplicates}"));
        sb.Append(FormattableString.Invariant($" redelivered={Redelivered} undelivered={Undelivered} stranded_undelivered={StrandedUndelivered}"));
        sb.Append(FormattableString.Invariant($" in_flight_at_kill={InFlightAtKill} recovery_ms={(double.IsNaN(RecoveryMs) ? "na" : RecoveryMs.ToString("F0", CultureInfo.InvariantCulture))} elapsed_s={ElapsedSeconds:F1} drained={(Drained ? 1 : 0)}"));
        long total = StoredBy.Sum();
        for (int i = 0; i < StoredBy.Count; i++)
        {
            sb.Append(FormattableString.Invariant($" share_r{i}={(total > 0 ? (double)StoredBy[i] / total : 0):F2}"));
        }
        return sb.ToString();
    }
}

/// <summary>mosquitto is not installed: the run cannot happen (a test reports Inconclusive).</summary>
public sealed class MosquittoMissingException() : Exception("mosquitto is not installed (apt-get install mosquitto; .ci/run installs it)");

/// <summary>
/// N receivers behind one mosquitto, splitting the uplinks through the MQTT 5 shared subscription
/// $share/pd-receivers/pd/v1/+/up (external broker mode, each a child process <c>dotnet PanicDevice.Receiver.dll</c>).
/// Simulated devices with the firmware outbox's behaviour (<see cref="OutboxDevice"/>: same bytes resent
/// until the signed ack verifies) send one burst; receiver 0 is SIGKILLed part-way (and by default not restarted), so the
/// others must take its share when the devices resend (with <see cref="ScaleOptions.RestartAfter"/> it comes back as a
/// service manager would restart it). Then the stores are counted against what the devices
/// saw acked, and a loopback webhook target counts every delivery. Shared by the bench command
/// (<c>scale</c>) and the short test.
/// </summary>
public static class ScaleHarness
{
    public const string DevicePrefix = "scale-";

    public static async Task<ScaleResult> RunAsync(ScaleOptions o)
    {
        using LocalMosquitto broker = LocalMosquitto.TryStart() ?? throw new MosquittoMissingException();
        string root = Path.Combine(Path.GetTempPath(), "pd-scale-" + Environment.ProcessId + "-" + Guid.NewGuid().ToString("N")[..8]);
        var dataFolders = Enumerable.Range(0, o.Receivers).Select(i => Path.Combine(root, "r" + i.ToString(CultureInfo.InvariantCulture))).ToList();
        var plan = new ScaleStorePlan(o.StoreUrl, dataFolders);
        IStoreCounter counter = plan.Counter();
        if (counter.Alerts(DevicePrefix).Count > 0)
        {
            // its counts would mix with this run's (and the devices' counters start at 1 again)
            throw new InvalidOperationException("the --store already holds " + DevicePrefix + "… alerts from an earlier run: give an empty store");
        }
        dataFolders.ForEach(d => Directory.CreateDirectory(d));
        int hookPort = LoopbackPorts.Free();
        string token = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        string secret = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        using var hooks = new WebhookRecorder(hookPort, secret);
        var receivers = new List<CrashHarness.ReceiverProcess>();
        var apis = new List<HttpClient>();
        for (int i = 0; i < o.Receivers; i++)
        {
            int httpPort = LoopbackPorts.Free();
            var args = new List<string>
            {
                o.ReceiverDll, "--urls", "http://127.0.0.1:" + httpPort, "--data", dataFolders[i], "--broker", broker.BrokerUrl,
                // Receivers sharing a store share its storage key file (device keys are encrypted at rest).
                "--key-file", Path.Combine(root, "device-keys.key"),
                "--operator-token", token, "--Receiver:Webhooks:0:Url", $"http://127.0.0.1:{hookPort}{plan.HookPath(i)}", "--Receiver:Webhooks:0:Secret", secret,
                "--Logging:LogLevel:Default", "Warning",
                "--escalate-after", "0", // nobody acknowledges a bench's alerts: no escalation events beside the one per alert it counts
                "--incident-window", "0", // and it counts one alert per press
            };
            if (plan.StoreUrlFor(i) is string store)
            {
                args.AddRange(new[] { "--store", store });
            }
            receivers.Add(new CrashHarness.ReceiverProcess(args));
            var http = new HttpClient { BaseAddress = new Uri("http://127.0.0.1:" + httpPort) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            apis.Add(http);
        }
        var clock = new AckClock();
        var devices = Enumerable.Range(0, o.Devices).Select(i =>
        {
            string id = DevicePrefix + i.ToString("D6", CultureInfo.InvariantCulture);
            return new OutboxDevice(id, BenchDevice.KeyFor(id), broker.Port, o.Window, o.ResendAfter, clock);
        }).ToList();
        using var stop = new CancellationTokenSource();
        var loops = new DeviceLoops();
        var alive = new bool[o.Receivers];
        var metrics = new ReceiverMetrics(apis);
        try
        {
            for (int i = 0; i < o.Receivers; i++)
            {
                receivers[i].Start();
                alive[i] = true;
            }
            for (int i = 0; i < o.Receivers; i++)
            {
                await receivers[i].WaitHealthyAsync(apis[i], TimeSpan.FromSeconds(60));
                // every receiver: each store needs the devices; on a shared store the first receiver registered them, and
                // the others are refused with 409 (an existing id is never re-keyed by accident), which is the same state
                foreach (OutboxDevice d in devices)
                {
                    using var response = await apis[i].PostAsJsonAsync("/api/devices", new { id = d.Id, key = Convert.ToHexString(d.Key), kind = "fob", ownerName = "scale bench" });
                    if (response.StatusCode != System.Net.HttpStatusCode.Conflict)
                    {
                        response.EnsureSuccessStatusCode();
                    }
                }
            }
            if (!await loops.UntilAsync(() => Enumerable.Range(0, o.Receivers).All(metrics.Subscribed), TimeSpan.FromSeconds(30)))
            {
                throw new InvalidOperationException("not every receiver subscribed to the shared subscription on mosquitto within 30 s");
            }
            loops.Start(devices, stop.Token);
            if (!await loops.UntilAsync(() => devices.All(d => d.IsConnected), TimeSpan.FromSeconds(60)))
            {
                throw new InvalidOperationException("not every device connected to mosquitto within 60 s");
            }
            o.Log?.WriteLine($"{o.Receivers} receivers subscribed, {o.Devices} devices connected; burst of {o.Alerts} alerts");

            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < devices.Count; i++)
            {
                devices[i].Enqueue(o.Alerts / devices.Count + (i < o.Alerts % devices.Count ? 1 : 0));
            }
            long killedAt = 0;
            Task restart = Task.CompletedTask;
            var inFlightAtKill = new List<(OutboxDevice Device, uint Counter)>();
            if (o.Kill)
            {
                long killAt = Math.Max(1, (long)(o.Alerts * o.KillAtShare));
                await loops.UntilAsync(() => clock.Acked >= killAt, o.DrainTimeout, pollMs: 1);
                metrics.Poll(0); // its last reading: the share it stored before it died
                receivers[0].Kill();
                killedAt = Stopwatch.GetTimestamp();
                alive[0] = false;
                foreach (OutboxDevice d in devices)
                {
                    inFlightAtKill.AddRange(d.InFlight().Select(c => (d, c)));
                }
                o.Log?.WriteLine($"receiver 0 SIGKILLed at {clock.Acked}/{o.Alerts} acked; {inFlightAtKill.Count} alerts in flight");
                if (o.RestartAfter is { } after)
                {
                    restart = Task.Run(async () =>
                    {
                        await Task.Delay(after);
                        metrics.Restarting(0);
                        receivers[0].Start();
                        await receivers[0].WaitHealthyAsync(apis[0], TimeSpan.FromSeconds(60));
                        alive[0] = true;
                        o.Log?.WriteLine(FormattableString.Invariant($"receiver 0 restarted, healthy {Stopwatch.GetElapsedTime(killedAt).TotalSeconds:F1} s after the kill, at {clock.Acked}/{o.Alerts} acked"));
                    });
                }
            }
            bool drained = await loops.UntilAsync(() => clock.Acked >= o.Alerts, o.DrainTimeout);
            await restart; // a restart that failed fails the run; one still under way is waited for, so its store is counted live
            long lastAck = devices.SelectMany(d => Enumerable.Range(1, d.Enqueued).Select(c => d.AckedAt((uint)c) ?? 0)).DefaultIfEmpty(0).Max();
            double elapsed = Stopwatch.GetElapsedTime(start, lastAck > start ? lastAck : Stopwatch.GetTimestamp()).TotalSeconds;
            double recovery = double.NaN;
            if (o.Kill && inFlightAtKill.Count > 0 && inFlightAtKill.All(x => x.Device.AckedAt(x.Counter) != null))
            {
                // what the devices saw: the last alert the dead receiver had taken, acked by another one
                recovery = Stopwatch.GetElapsedTime(killedAt, inFlightAtKill.Max(x => x.Device.AckedAt(x.Counter)!.Value)).TotalMilliseconds;
            }
            o.Log?.WriteLine(FormattableString.Invariant($"burst acked={clock.Acked}/{o.Alerts} in {elapsed:F1} s, drained={drained}"));

            // webhook queues of stores a live receiver serves: everything delivered, then a quiet second for late repeats
            var liveStores = Enumerable.Range(0, o.Receivers).Where(i => alive[i]).Select(plan.StoreOf).Distinct().ToList();
            bool hooksDrained = await loops.UntilAsync(() => liveStores.All(s => counter.Undelivered(s) == 0), o.DispatchDrainTimeout);
            o.Log?.WriteLine($"webhook queues of live receivers drained={hooksDrained}");
            drained &= hooksDrained;
            await Task.Delay(1000);
            for (int i = 0; i < o.Receivers; i++)
            {
                if (alive[i]) metrics.Poll(i);
            }
            stop.Cancel();
            await loops.WhenAll();
            return Count(o, plan, counter, devices, hooks, liveStores, drained, clock.Acked, elapsed, inFlightAtKill.Count, recovery, metrics);
        }
        finally
        {
            stop.Cancel();
            receivers.ForEach(r => r.Kill());
            devices.ForEach(d => d.Dispose());
            apis.ForEach(h => h.Dispose());
            SqliteConnection.ClearAllPools();
            try { Directory.Delete(root, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }


    private static ScaleResult Count(ScaleOptions o, ScaleStorePlan plan, IStoreCounter counter, List<OutboxDevice> devices,
        WebhookRecorder hooks, List<int> liveStores, bool drained, long ackedByClock, double elapsed, long inFlightAtKill, double recovery, ReceiverMetrics metrics)
    {
        IReadOnlyList<StoredAlert> rows = counter.Alerts(DevicePrefix);
        // (device, counter) → the stores holding it
        var where = new Dictionary<(string, long), HashSet<int>>();
        foreach (StoredAlert r in rows)
        {
            if (!where.TryGetValue((r.Device, r.Counter), out var stores)) where[(r.Device, r.Counter)] = stores = new HashSet<int>();
            stores.Add(r.Store);
        }
        long withinStore = rows.Count - where.Values.Sum(s => (long)s.Count);
        long crossStore = where.Values.Sum(s => (long)s.Count - 1);
        long acked = 0, lost = 0, notStored = 0, alerts = 0;
        foreach (OutboxDevice d in devices)
        {
            for (uint c = 1; c <= d.Enqueued; c++)
            {
                alerts++;
                bool isStored = where.ContainsKey((d.Id, c));
                if (d.IsAcked(c))
                {
                    acked++;
                    if (!isStored) lost++;
                }
                if (!isStored) notStored++;
            }
        }
        long queueDuplicates = 0, alertDuplicates = 0, undelivered = 0, stranded = 0;
        for (int s = 0; s < counter.Stores; s++)
        {
            QueueTally t = counter.Tally(s, DevicePrefix);
            queueDuplicates += t.QueueDuplicates;
            alertDuplicates += t.AlertRowDuplicates;
            if (liveStores.Contains(s)) undelivered += t.Undelivered;
            else stranded += t.Undelivered; // a dead receiver's own store: delivered only when it comes back
        }
        // who stored what: exact from each receiver's own store; from /metrics when they share one (the killed one's last reading)
        IReadOnlyList<long> storedBy = plan.Shared
            ? Enumerable.Range(0, o.Receivers).Select(metrics.Stored).ToList()
            : Enumerable.Range(0, o.Receivers).Select(i => (long)rows.Count(r => r.Store == i)).ToList();
        var h = hooks.Snapshot();
        return new ScaleResult(o.Receivers, plan.Mode, o.Kill, alerts, acked, where.Count, lost, notStored,
            withinStore, crossStore, queueDuplicates, alertDuplicates,
            h.Deliveries, h.DistinctEvents, h.DuplicatedEvents, h.Redelivered, undelivered, stranded, h.BadSignatures,
            devices.Sum(d => d.Strays), drained, elapsed > 0 ? ackedByClock / elapsed : 0, elapsed, inFlightAtKill, recovery, storedBy);
    }

    /// <summary>Each receiver's /metrics: whether it is subscribed, and how many frames it stored (kept from the last reading that answered).</summary>
    private sealed class ReceiverMetrics(List<HttpClient> apis)
    {
        private readonly long[] stored = new long[apis.Count];
        private readonly bool[] subscribed = new bool[apis.Count];

        public bool Subscribed(int receiver)
        {
            Poll(receiver);
            return subscribed[receiver];
        }

        // A restarted receiver counts from 0 again: what it stored before its kill (its last reading) is kept here.
        private readonly long[] beforeRestart = new long[apis.Count];

        public long Stored(int receiver) => beforeRestart[receiver] + stored[receiver];

        public void Restarting(int receiver)
        {
            beforeRestart[receiver] += stored[receiver];
            stored[receiver] = 0;
        }

        public void Poll(int receiver)
        {
            string text;
            try
            {
                text = apis[receiver].GetStringAsync("/metrics").GetAwaiter().GetResult();
            }
            catch (HttpRequestException)
            {
                return;
            }
            foreach (string line in text.Split('\n'))
            {
                if (line.StartsWith("pd_broker_subscribed ", StringComparison.Ordinal)) subscribed[receiver] = line.EndsWith(" 1", StringComparison.Ordinal);
                if (line.StartsWith("pd_ingest_total{outcome=\"stored\"} ", StringComparison.Ordinal)) stored[receiver] = long.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
            }
        }
    }
}
