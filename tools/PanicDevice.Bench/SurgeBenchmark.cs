using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using PanicDevice.Bench.Engines;

namespace PanicDevice.Bench;

/// <summary>
/// A mass event: every one of N devices, connected to the embedded broker, alerts once at a random moment within
/// the window. The receiver runs in a child process (<c>receiver-host</c>, as for <c>idle</c>) with a webhook target
/// in this process and an operator watching its dashboard feed (Server-Sent Events, as the dashboard reads it).
/// Prints stored, acked, press-to-ack percentiles, how long after the last press the last alert was on the feed and
/// at the webhook target, and the receiver's memory.
/// </summary>
public static class SurgeBenchmark
{
    private const string Token = "surge-operator-token-0123456789";
    private const string Secret = "surge-webhook-secret-0123456789";

    public static async Task<int> RunAsync(int devices, int seconds, int receivers = 1, bool mosquitto = false, string? store = null)
    {
        string data = Path.Combine(Path.GetTempPath(), "pd-bench-surge-" + Environment.ProcessId);
        int hookPort = LoopbackPorts.Free();
        using var hook = new WebhookRecorder(hookPort, Secret);
        // Behind mosquitto the receivers split the uplinks (shared subscription) and share one store and its key file.
        using LocalMosquitto? broker = mosquitto ? LocalMosquitto.TryStart() ?? throw new InvalidOperationException("mosquitto is not installed (apt-get install mosquitto)") : null;
        await using LocalPostgres? postgres = store == "local-postgres" ? LocalPostgres.TryStart(out string whyNot) ?? throw new InvalidOperationException(whyNot) : null;
        string? storeUrl = postgres?.CreateDatabase("bench_surge") ?? store;
        int mqttPort = broker?.Port ?? LoopbackPorts.Free();
        var hosts = new List<ReceiverHostProcess>();
        var apis = new List<HttpClient>();
        List<BenchDevice> clients = new();
        using var stop = new CancellationTokenSource();
        try
        {
            for (int r = 0; r < receivers; r++)
            {
                int httpPort = LoopbackPorts.Free();
                var options = new List<string>
                {
                    "--urls", "http://127.0.0.1:" + httpPort, "--operator-token", Token,
                    "--Receiver:Webhooks:0:Url", $"http://127.0.0.1:{hookPort}/hook/", "--Receiver:Webhooks:0:Secret", Secret,
                    // Every device connects within seconds: the login cap is for attacks, not for a fleet.
                    "--Receiver:MqttMaxPendingLogins", "100000",
                    "--escalate-after", "0", // nobody acknowledges a bench's alerts: no escalation events beside the one per alert it counts
                    "--incident-window", "0", // and it counts one alert per press
                };
                if (broker != null) options.AddRange(new[] { "--broker", broker.BrokerUrl, "--key-file", Path.Combine(data, "device-keys.key") });
                if (storeUrl != null) options.AddRange(new[] { "--store", storeUrl });
                // One store: the first receiver registers the devices, the others find them there.
                bool registers = r == 0 || storeUrl == null;
                hosts.Add(ReceiverHostProcess.Start(registers ? devices : 0, mqttPort, Path.Combine(data, "r" + r.ToString(CultureInfo.InvariantCulture)), options.ToArray()));
                var api = new HttpClient { BaseAddress = new Uri("http://127.0.0.1:" + httpPort) };
                api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
                apis.Add(api);
                if (await hosts[r].ReadyAsync() == null)
                {
                    return 1;
                }
            }
            HttpClient http = apis[0]; // the operator watches the first receiver's dashboard
            var connect = Stopwatch.StartNew();
            clients = await IngestBenchmark.ConnectAsync(devices, mqttPort, parallel: 64);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"connected {clients.Count} devices in {connect.Elapsed.TotalSeconds:F1} s"));

            // The operator's feed: every alert that reaches it, and when.
            var feed = new FeedWatcher();
            Task watching = feed.WatchAsync(http, stop.Token);
            await feed.Connected.Task.WaitAsync(TimeSpan.FromSeconds(30));

            var latencies = new LatencyRecorder();
            latencies.Window(0, long.MaxValue);
            var random = new Random(20261204);
            long start = Stopwatch.GetTimestamp();
            long lastPress = 0;
            var presses = clients.Select(d => (Device: d, At: random.NextDouble() * seconds)).ToList();
            var tasks = presses.Select(p => Task.Run(async () =>
            {
                await Task.Delay(TimeSpan.FromSeconds(p.At));
                long pressed = Stopwatch.GetTimestamp();
                InterlockedMax(ref lastPress, pressed);
                if (await p.Device.AlertAsync(TimeSpan.FromSeconds(120))) latencies.Record(pressed, Stopwatch.GetTimestamp());
                else Interlocked.Increment(ref latencies.Failures);
            })).ToList();
            await Task.WhenAll(tasks);
            double acksDoneS = Stopwatch.GetElapsedTime(start).TotalSeconds;

            var waitRest = Stopwatch.StartNew();
            while ((feed.Count < devices || hook.Count < devices) && waitRest.Elapsed < TimeSpan.FromSeconds(300))
            {
                await Task.Delay(20);
            }
            double Since(long t) => t == 0 ? double.NaN : (t - lastPress) / (double)Stopwatch.Frequency;
            long lastHook = hook.LastArrival;
            string metrics = await http.GetStringAsync("/metrics");
            long stored = 0;
            foreach (HttpClient api in apis)
            {
                stored += StoredCount(await api.GetStringAsync("/metrics"));
            }
            // The receiver's own share of press-to-ack: arrival at the pipeline to its result (decode, verify, commit, ack built).
            string receiverShare = string.Join(" ", new[] { 0.5, 0.99 }.Select(q => string.Create(CultureInfo.InvariantCulture,
                $"receiver_ingest_p{q * 100:0}_le_ms={HistogramBound(metrics, "pd_ingest_duration_seconds", q) * 1000:0.#}")));
            var memory = new List<string>();
            for (int r = 0; r < hosts.Count; r++)
            {
                string stats = await hosts[r].StatsAsync();
                memory.Add(hosts.Count == 1 ? stats : string.Join(" ", stats.Split(' ').Select(kv => "r" + r.ToString(CultureInfo.InvariantCulture) + "_" + kv)));
            }
            var (_, distinct, duplicated, _, badSignatures) = hook.Snapshot();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"surge devices={devices} seconds={seconds} broker={(broker != null ? "mosquitto" : "embedded")} receivers={receivers} store={(postgres != null ? "local-postgres" : storeUrl == null ? "sqlite" : "url")} stored={stored} acked={latencies.Count} failed={latencies.Failures} press_to_ack_p50_ms={latencies.Percentile(0.50):F0} p95_ms={latencies.Percentile(0.95):F0} p99_ms={latencies.Percentile(0.99):F0} max_ms={latencies.Percentile(1.0):F0} {receiverShare} acks_done_s={acksDoneS:F1} feed={feed.Count} feed_reconnects={feed.Reconnects} feed_last_after_last_press_s={Since(feed.LastAt):F2} webhook={distinct} webhook_last_after_last_press_s={Since(lastHook):F2} webhook_duplicated={duplicated} bad_signatures={badSignatures} {string.Join(" ", memory)}"));
            return stored == devices && latencies.Count == devices && feed.Count == devices && distinct == devices && duplicated == 0 && badSignatures == 0 ? 0 : 1;
        }
        finally
        {
            stop.Cancel();
            await IngestBenchmark.DisposeAllAsync(clients);
            hosts.ForEach(h => h.Dispose());
            apis.ForEach(a => a.Dispose());
            try { Directory.Delete(data, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static void InterlockedMax(ref long target, long value)
    {
        long seen;
        while ((seen = Interlocked.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

    // The smallest bucket bound of a Prometheus histogram holding fraction q of its observations.
    private static double HistogramBound(string metrics, string name, double q)
    {
        var buckets = metrics.Split('\n').Where(l => l.StartsWith(name + "_bucket{le=\"", StringComparison.Ordinal))
            .Select(l => (Le: l[(name.Length + 12)..l.IndexOf('"', name.Length + 12)], Count: long.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture)))
            .ToList();
        long total = buckets.Count > 0 ? buckets[^1].Count : 0;
        foreach (var (le, count) in buckets)
        {
            if (total > 0 && count >= q * total)
            {
                return le == "+Inf" ? double.PositiveInfinity : double.Parse(le, CultureInfo.InvariantCulture);
            }
        }
        return double.NaN;
    }

    private static long StoredCount(string metrics)
    {
        string line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith("pd_ingest_total{outcome=\"stored\"}", StringComparison.Ordinal)) ?? "";
        return long.TryParse(line.Split(' ').LastOrDefault(), NumberStyles.Integer, CultureInfo.InvariantCulture, out long n) ? n : -1;
    }

    /// <summary>Reads the dashboard's event stream as the page does: a one-time ticket, then "event: alert" lines.</summary>
    private sealed class FeedWatcher
    {
        private readonly HashSet<long> seen = new();
        private long lastAt;

        public TaskCompletionSource Connected { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Count
        {
            get { lock (seen) return seen.Count; }
        }

        public long LastAt => Interlocked.Read(ref lastAt);

        public int Reconnects;

        /// <summary>As the page does: a ticket, the stream, and when the stream ends, a new ticket and a reload of the list.</summary>
        public async Task WatchAsync(HttpClient http, CancellationToken stop)
        {
            try
            {
                for (int attempt = 0; !stop.IsCancellationRequested; attempt++)
                {
                    var ticketAnswer = await http.PostAsync("/api/events/ticket", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"), stop);
                    string ticket = JsonDocument.Parse(await ticketAnswer.Content.ReadAsStringAsync(stop)).RootElement.GetProperty("ticket").GetString()!;
                    using var response = await http.GetAsync("/api/events?ticket=" + Uri.EscapeDataString(ticket), HttpCompletionOption.ResponseHeadersRead, stop);
                    using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(stop));
                    if (attempt > 0)
                    {
                        Interlocked.Increment(ref Reconnects);
                        foreach (JsonElement a in JsonDocument.Parse(await http.GetStringAsync("/api/alerts?limit=1000&allOpen=true", stop)).RootElement.EnumerateArray())
                        {
                            Saw(a.GetProperty("id").GetInt64());
                        }
                    }
                    Connected.TrySetResult();
                    string? name = null;
                    string? line;
                    while ((line = await reader.ReadLineAsync(stop)) != null)
                    {
                        if (line.StartsWith("event: ", StringComparison.Ordinal))
                        {
                            name = line[7..];
                        }
                        else if (line.StartsWith("data: ", StringComparison.Ordinal) && name == "alert")
                        {
                            Saw(JsonDocument.Parse(line[6..]).RootElement.GetProperty("id").GetInt64());
                        }
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
            catch (Exception e) when (e is HttpRequestException or IOException)
            {
                Connected.TrySetException(e);
            }
        }

        private void Saw(long id)
        {
            bool added;
            lock (seen) added = seen.Add(id);
            if (added) Interlocked.Exchange(ref lastAt, Stopwatch.GetTimestamp());
        }
    }
}
