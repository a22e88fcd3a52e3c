using PanicDevice.Bench.Engines;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using PanicDevice.Bench;
using PanicDevice.Receiver;
using PanicDevice.Receiver.Dispatch;
using PanicDevice.Receiver.Mqtt;
using PanicDevice.Receiver.Registry;
using PanicDevice.Receiver.Storage;
using PanicDevice.Tests.Mqtt;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Receiver;

/// <summary>
/// Broker and network faults in external broker mode, with mosquitto configured as in
/// docs/mosquitto/pd-receivers.conf (persistence on, 1000 queued messages; anonymous, since the ACL has its
/// own test): simulated devices with the firmware outbox's behaviour (<see cref="OutboxDevice"/>: resend the
/// same bytes until a signed ack verifies) send a burst while the broker is SIGKILLed and restarted, or the
/// receiver's link to it is black-holed past its keep-alive and healed. Afterwards every alert a device saw
/// acked is stored, every alert is stored and queued for dispatch exactly once, each webhook event arrives
/// at a local listener once, and no ack ever reached a device before its alert was in the store.
/// </summary>
[TestClass]
public class BrokerFaultTests
{
    private const string OperatorToken = "operator-token-faults-0001";
    private const string HookSecret = "webhook-secret-faults-0001";
    private const int KeepAliveSeconds = 2;
    private readonly List<string> dirs = new();
    private readonly List<WebApplication> apps = new();
    private readonly List<Process> brokers = new();
    private readonly List<IDisposable> disposables = new();
    private string? netns;

    public TestContext TestContext { get; set; } = null!;

    [TestCleanup]
    public async Task Cleanup()
    {
        foreach (WebApplication app in apps)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
        foreach (Process p in brokers)
        {
            if (!p.HasExited) p.Kill();
            p.WaitForExit();
            p.Dispose();
        }
        foreach (IDisposable d in disposables) d.Dispose();
        if (netns != null) Run("ip", "netns", "del", netns);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (string d in dirs)
        {
            if (Directory.Exists(d)) Directory.Delete(d, true);
        }
    }

    private string NewDir()
    {
        string d = Path.Combine(Path.GetTempPath(), "pd-fault-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(d);
        dirs.Add(d);
        return d;
    }

    /// <summary>The documented broker settings that matter here; the persistence file lives in the test's folder.</summary>
    private static string RealisticSettings(string dir) =>
        "allow_anonymous true\npersistence true\npersistence_location " + dir + "/\nmax_queued_messages 1000\n";

    /// <summary>A broker on <paramref name="port"/> (moved to another free port if it was taken, unless <paramref name="restart"/>).</summary>
    private Process StartBroker(ref int port, string dir, bool restart = false)
    {
        Process? p = MosquittoSessionTests.StartMosquitto(ref port, dir, RealisticSettings(dir), keepPort: restart);
        if (p == null)
        {
            Assert.Inconclusive("mosquitto is not installed (.ci/run installs it)");
        }
        brokers.Add(p);
        return p;
    }

    private async Task<WebApplication> StartReceiver(string brokerHost, int brokerPort, int hookPort, IEnumerable<OutboxDevice> devices)
    {
        WebApplication app = ReceiverApp.Build(new[]
        {
            "--urls", "http://127.0.0.1:0", "--data", NewDir(), "--broker", "mqtt://" + brokerHost + ":" + brokerPort,
            "--broker-keepalive", KeepAliveSeconds.ToString(CultureInfo.InvariantCulture), "--operator-token", OperatorToken,
            "--Receiver:Webhooks:0:Url", "http://127.0.0.1:" + hookPort + "/hook/", "--Receiver:Webhooks:0:Secret", HookSecret,
            "--Logging:LogLevel:Default", "Warning",
        });
        apps.Add(app);
        var registry = app.Services.GetRequiredService<DeviceRegistry>();
        foreach (OutboxDevice d in devices)
        {
            registry.Upsert(new DeviceRecord { Id = d.Id, Key = new DeviceKey(d.Key) });
        }
        await app.StartAsync();
        await Eventually.WaitFor(() => app.Services.GetRequiredService<ExternalBrokerClient>().IsSubscribed, TimeSpan.FromSeconds(15), "the receiver subscribed");
        return app;
    }

    /// <summary>Devices sending a burst, and what they saw: acks, and acks that arrived before the store held the alert.</summary>
    private sealed class Burst : IAsyncDisposable
    {
        private readonly CancellationTokenSource stop = new();
        private readonly List<Task> loops = new();
        private FrameStore? store;
        private int ackedBeforeStored;

        public Burst(int devices, int port, string host = "127.0.0.1")
        {
            Devices = Enumerable.Range(0, devices).Select(i =>
            {
                string id = "fault-" + i.ToString("D3", CultureInfo.InvariantCulture);
                return new OutboxDevice(id, BenchDevice.KeyFor(id), port, 8, TimeSpan.FromSeconds(2), Clock)
                {
                    Host = host,
                    FirstAck = (d, counter) =>
                    {
                        if (store!.PathOf(d.Id, counter) == null) Interlocked.Increment(ref ackedBeforeStored);
                    },
                };
            }).ToList();
        }

        public AckClock Clock { get; } = new();

        public List<OutboxDevice> Devices { get; }

        public int AckedBeforeStored => Volatile.Read(ref ackedBeforeStored);

        public int Total { get; private set; }

        public void Start(WebApplication receiver, int perDevice)
        {
            store = receiver.Services.GetRequiredService<FrameStore>();
            foreach (OutboxDevice d in Devices) d.Enqueue(perDevice);
            Total = perDevice * Devices.Count;
            loops.AddRange(Devices.Select(d => Task.Run(() => d.RunAsync(stop.Token))));
        }

        public async ValueTask DisposeAsync()
        {
            stop.Cancel();
            await Task.WhenAll(loops);
            foreach (OutboxDevice d in Devices) d.Dispose();
        }
    }

    /// <summary>Waits for every alert to be acked and every webhook event delivered, then checks the counts.</summary>
    private static async Task<string> AssertEverythingOnceAsync(Burst burst, WebApplication app, WebhookRecorder hooks, string context)
    {
        var drain = Stopwatch.StartNew();
        // generous: on a loaded machine a slow receiver sees resends pile up; a quiet one drains in about 4 s
        bool acked = await Eventually.Within(() => burst.Clock.Acked >= burst.Total, TimeSpan.FromSeconds(60));
        double ackedMs = drain.Elapsed.TotalMilliseconds;
        Assert.IsTrue(acked, context + ": " + burst.Clock.Acked + " of " + burst.Total + " alerts acked");
        var webhooks = app.Services.GetRequiredService<QueueDispatcher>();
        bool delivered = await Eventually.Within(() => webhooks.Status().Single().Pending == 0, TimeSpan.FromSeconds(30));
        Assert.IsTrue(delivered, context + ": webhook events still pending: " + webhooks.Status().Single().Pending);
        double deliveredMs = drain.Elapsed.TotalMilliseconds;
        // One more dispatcher round, begun after the queue emptied: a late repeat would be delivered in it.
        DateTimeOffset after = app.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        await Eventually.WaitFor(() => webhooks.LastFinishedRoundStartedAt >= after, TimeSpan.FromSeconds(10), context + ": a dispatcher round after the queue emptied");

        FrameStore store = app.Services.GetRequiredService<FrameStore>();
        foreach (OutboxDevice d in burst.Devices)
        {
            Assert.AreEqual(d.Enqueued, store.CountFrames(d.Id), context + ": " + d.Id + " has every alert stored once");
            for (uint counter = 1; counter <= d.Enqueued; counter++)
            {
                Assert.IsTrue(d.IsAcked(counter), context + ": " + d.Id + " #" + counter + " acked");
                Assert.IsNotNull(store.PathOf(d.Id, counter), context + ": " + d.Id + " #" + counter + " acked and stored");
                Assert.AreEqual(1, store.CountDispatchEvents(d.Id, counter), context + ": " + d.Id + " #" + counter + " queued for dispatch once");
            }
            Assert.AreEqual(0, d.Strays, context + ": acks that did not verify or matched no alert");
        }
        Assert.AreEqual(0, burst.AckedBeforeStored, context + ": a device saw an ack before the store held its alert");
        var h = hooks.Snapshot();
        Assert.AreEqual(burst.Total, h.DistinctEvents, context + ": every alert's webhook event delivered");
        Assert.AreEqual(0, h.DuplicatedEvents, context + ": no alert dispatched as two events");
        Assert.AreEqual(0, h.Redelivered, context + ": no event delivered twice");
        Assert.AreEqual(0, h.BadSignatures, context);
        return FormattableString.Invariant($"rest acked in {ackedMs:F0} ms, webhook queue empty at {deliveredMs:F0} ms; {h.Deliveries} deliveries");
    }

    [TestMethod]
    public async Task BrokerKilledAndRestartedMidBurst_EveryAckedAlertStoredOnceAndDispatchedOnce()
    {
        int brokerPort = LoopbackPorts.Free(), hookPort = LoopbackPorts.Free();
        string brokerDir = NewDir();
        Process broker = StartBroker(ref brokerPort, brokerDir);
        using var hooks = new WebhookRecorder(hookPort, HookSecret);
        await using var burst = new Burst(10, brokerPort);
        WebApplication app = await StartReceiver("127.0.0.1", brokerPort, hookPort, burst.Devices);
        var client = app.Services.GetRequiredService<ExternalBrokerClient>();

        burst.Start(app, 60);
        await Eventually.WaitFor(() => burst.Clock.Acked >= burst.Total / 3, TimeSpan.FromSeconds(20), "a third of the burst acked");
        broker.Kill(); // SIGKILL: nothing flushed, every connection cut
        broker.WaitForExit();
        long ackedAtKill = burst.Clock.Acked;
        burst.Clock.Restarted();
        long restart = Stopwatch.GetTimestamp();
        StartBroker(ref brokerPort, brokerDir, restart: true);
        long? firstAck = await burst.Clock.FirstAckAfterRestartAsync(TimeSpan.FromSeconds(20));
        Assert.IsNotNull(firstAck, "no ack within 20 s of the broker's restart");
        double recoveryMs = Stopwatch.GetElapsedTime(restart, firstAck.Value).TotalMilliseconds;
        Assert.IsTrue(client.IsSubscribed || await Eventually.Within(() => client.IsSubscribed, TimeSpan.FromSeconds(5)), "the receiver resubscribed by itself");

        string drained = await AssertEverythingOnceAsync(burst, app, hooks, "broker restart");
        Assert.IsLessThan((long)burst.Total, ackedAtKill, "the kill came mid-burst");
        TestContext.WriteLine(FormattableString.Invariant(
            $"broker restart: killed at {ackedAtKill}/{burst.Total} acked; first ack {recoveryMs:F0} ms after the restart; all {burst.Total} acked and delivered once; {drained}"));
    }

    [TestMethod]
    public async Task ReceiverLinkBlackHoledPastKeepAlive_ReceiverReconnectsAndNothingIsLostOrDoubled()
    {
        int brokerPort = LoopbackPorts.Free(), hookPort = LoopbackPorts.Free();
        StartBroker(ref brokerPort, NewDir());
        var relay = new TcpRelay(new IPEndPoint(IPAddress.Loopback, brokerPort));
        disposables.Add(relay);
        using var hooks = new WebhookRecorder(hookPort, HookSecret);
        await using var burst = new Burst(10, brokerPort);
        WebApplication app = await StartReceiver("127.0.0.1", relay.Port, hookPort, burst.Devices);

        var (detectedMs, recoveryMs, ackedAtPartition) = await PartitionMidBurst(burst, app, relay.Partition, relay.Heal);

        string drained = await AssertEverythingOnceAsync(burst, app, hooks, "relay partition");
        Assert.IsGreaterThanOrEqualTo(2, relay.Accepted, "the receiver reconnected through the relay");
        TestContext.WriteLine(FormattableString.Invariant(
            $"relay partition: at {ackedAtPartition}/{burst.Total} acked; lost connection noticed {detectedMs:F0} ms in (keep-alive {KeepAliveSeconds} s); first ack {recoveryMs:F0} ms after healing; {drained}"));
    }

    [TestMethod]
    public async Task BrokerLinkDownInANetworkNamespace_ReceiverReconnectsAndNothingIsLostOrDoubled()
    {
        // mosquitto runs in its own network namespace, reached over two veth pairs: one for the devices,
        // one for the receiver. Taking the receiver's link down is a kernel-level partition: sockets stay
        // open, packets vanish, only the keep-alive notices.
        string? why = NetnsUnavailable();
        if (why != null)
        {
            Assert.Inconclusive("network namespace partition not available: " + why);
        }
        string tag = Convert.ToHexString(BitConverter.GetBytes(Random.Shared.Next())).ToLowerInvariant()[..6];
        int subnet = Random.Shared.Next(0, 256);
        netns = "pd-fault-" + tag;
        string deviceNet = "10.231." + subnet, receiverNet = "10.232." + subnet;
        string receiverLink = "pdr" + tag + "n";
        Checked("ip", "netns", "add", netns);
        foreach (var (name, net) in new[] { ("pdd" + tag, deviceNet), ("pdr" + tag, receiverNet) })
        {
            Checked("ip", "link", "add", name + "h", "type", "veth", "peer", "name", name + "n", "netns", netns);
            Checked("ip", "addr", "add", net + ".1/24", "dev", name + "h");
            Checked("ip", "link", "set", name + "h", "up");
            Checked("ip", "netns", "exec", netns, "ip", "addr", "add", net + ".2/24", "dev", name + "n");
            Checked("ip", "netns", "exec", netns, "ip", "link", "set", name + "n", "up");
        }
        Checked("ip", "netns", "exec", netns, "ip", "link", "set", "lo", "up");

        const int brokerPort = 1883; // alone in its namespace
        string dir = NewDir();
        File.WriteAllText(Path.Combine(dir, "mosquitto.conf"), "listener " + brokerPort + " 0.0.0.0\n" + RealisticSettings(dir));
        string binary = new[] { "/usr/sbin/mosquitto", "/usr/bin/mosquitto" }.First(File.Exists);
        var broker = Process.Start(new ProcessStartInfo("ip", new[] { "netns", "exec", netns, binary, "-c", Path.Combine(dir, "mosquitto.conf") })
        { RedirectStandardError = true, RedirectStandardOutput = true })!;
        brokers.Add(broker);
        await Eventually.WaitFor(() => CanConnect(deviceNet + ".2", brokerPort), TimeSpan.FromSeconds(10), "mosquitto listening in the namespace");

        int hookPort = LoopbackPorts.Free();
        using var hooks = new WebhookRecorder(hookPort, HookSecret);
        await using var burst = new Burst(10, brokerPort, deviceNet + ".2");
        WebApplication app = await StartReceiver(receiverNet + ".2", brokerPort, hookPort, burst.Devices);

        var (detectedMs, recoveryMs, ackedAtPartition) = await PartitionMidBurst(burst, app,
            () => Checked("ip", "netns", "exec", netns, "ip", "link", "set", receiverLink, "down"),
            () => Checked("ip", "netns", "exec", netns, "ip", "link", "set", receiverLink, "up"));

        string drained = await AssertEverythingOnceAsync(burst, app, hooks, "namespace partition");
        TestContext.WriteLine(FormattableString.Invariant(
            $"namespace partition: at {ackedAtPartition}/{burst.Total} acked; lost connection noticed {detectedMs:F0} ms in (keep-alive {KeepAliveSeconds} s); first ack {recoveryMs:F0} ms after the link came up; {drained}"));
    }

    /// <summary>
    /// Starts the burst, partitions when a third is acked, checks the receiver notices by itself (keep-alive),
    /// holds the partition for three keep-alives, heals, and waits for the receiver to resubscribe and ack again.
    /// Returns when the loss was noticed and the first ack after healing, in ms, and the acks at the partition.
    /// </summary>
    private static async Task<(double DetectedMs, double RecoveryMs, long AckedAtPartition)> PartitionMidBurst(
        Burst burst, WebApplication app, Action partition, Action heal)
    {
        var client = app.Services.GetRequiredService<ExternalBrokerClient>();
        burst.Start(app, 60);
        await Eventually.WaitFor(() => burst.Clock.Acked >= burst.Total / 3, TimeSpan.FromSeconds(20), "a third of the burst acked");
        partition();
        var partitioned = Stopwatch.StartNew();
        long ackedAtPartition = burst.Clock.Acked;
        bool noticed = await Eventually.Within(() => !client.IsSubscribed, TimeSpan.FromSeconds(KeepAliveSeconds * 4));
        double detectedMs = partitioned.Elapsed.TotalMilliseconds;
        Assert.IsTrue(noticed, "the receiver noticed the silent connection within four keep-alives");
        // The partition lasts three keep-alives (the scenario's length, not a wait for something): devices resend into it.
        TimeSpan rest = TimeSpan.FromSeconds(KeepAliveSeconds * 3) - partitioned.Elapsed;
        if (rest > TimeSpan.Zero)
        {
            await Task.Delay(rest);
        }
        long ackedBeforeHeal = burst.Clock.Acked;
        Assert.IsLessThan((long)burst.Total, ackedBeforeHeal, "the partition came mid-burst");
        heal();
        var healed = Stopwatch.StartNew();
        await Eventually.WaitFor(() => burst.Clock.Acked > ackedBeforeHeal, TimeSpan.FromSeconds(20), "an ack after healing");
        double recoveryMs = healed.Elapsed.TotalMilliseconds;
        Assert.IsTrue(client.IsSubscribed, "the receiver resubscribed by itself");
        return (detectedMs, recoveryMs, ackedAtPartition);
    }

    private static bool CanConnect(string host, int port)
    {
        try
        {
            using var probe = new System.Net.Sockets.TcpClient();
            probe.Connect(IPAddress.Parse(host), port);
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    /// <summary>Why a namespace cannot be made here (not root, no ip or mosquitto, no netns support), or null.</summary>
    private static string? NetnsUnavailable()
    {
        if (!File.Exists("/usr/sbin/mosquitto") && !File.Exists("/usr/bin/mosquitto")) return "mosquitto is not installed (.ci/run installs it)";
        if (!OperatingSystem.IsLinux()) return "not Linux";
        if (Environment.UserName != "root") return "not root (ip netns needs CAP_NET_ADMIN)";
        string probe = "pd-probe-" + Environment.ProcessId;
        var (code, error) = Run("ip", "netns", "add", probe);
        if (code != 0) return "ip netns add failed: " + (error.Length > 0 ? error.Trim() : "exit " + code);
        Run("ip", "netns", "del", probe);
        return null;
    }

    private static void Checked(params string[] args)
    {
        var (code, error) = Run(args);
        Assert.AreEqual(0, code, string.Join(" ", args) + ": " + error);
    }

    private static (int Code, string Error) Run(params string[] args)
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo(args[0], args.Skip(1)) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            string error = p.StandardError.ReadToEnd();
            p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return (p.ExitCode, error);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, e.Message);
        }
    }
}
