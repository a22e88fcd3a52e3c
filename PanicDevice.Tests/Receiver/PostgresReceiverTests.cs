using PanicDevice.Bench.Engines;
using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using PanicDevice.Core.Protocol;
using PanicDevice.Receiver;
using PanicDevice.Receiver.Dispatch;
using PanicDevice.Receiver.Mqtt;
using PanicDevice.Receiver.Registry;
using PanicDevice.Receiver.Storage;
using PanicDevice.Tests.Mqtt;
using PanicDevice.Tests.Security;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Receiver;

/// <summary>
/// Whole receivers on a PostgreSQL store: two in external broker mode (mosquitto, shared subscription)
/// on ONE database take alerts end to end (each acked once, stored once, one webhook call each), and the
/// database password shows in no log line, answer or startup error. Without mosquitto or PostgreSQL
/// these report Inconclusive.
/// </summary>
[TestClass]
public class PostgresReceiverTests
{
    private const string OperatorToken = "operator-token-postgres-0001";
    private readonly List<WebApplication> apps = new();
    private readonly List<string> dirs = new();
    private Process? broker;

    [TestCleanup]
    public async Task Cleanup()
    {
        foreach (WebApplication app in apps)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
        if (broker is { HasExited: false }) broker.Kill();
        broker?.Dispose();
        foreach (string d in dirs.Where(Directory.Exists)) Directory.Delete(d, true);
    }

    private string NewDir()
    {
        string d = Path.Combine(Path.GetTempPath(), "pd-pgrx-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(d);
        dirs.Add(d);
        return d;
    }

    private static byte[] KeyOf(int d) => SampleFrames.Key((byte)(0xB0 + d));

    private static string IdOf(int d) => "fob-pg-" + d;

    [TestMethod]
    public async Task TwoReceiversOnOnePostgresTakeAlertsEndToEndOnceEachAndNeverShowThePassword()
    {
        const int devices = 4, perDevice = 8;
        using TestStore store = TestStore.Create(StoreEngine.Postgres);
        string password = TestPostgres.Server().Password;
        int brokerPort = LoopbackPorts.Free();
        broker = MosquittoSessionTests.StartMosquitto(ref brokerPort, NewDir());
        if (broker == null)
        {
            Assert.Inconclusive("mosquitto is not installed (.ci/run installs it)");
        }

        await using var hook = await HookTarget.StartAsync();
        var hooked = hook.Accepted;
        string hookUrl = hook.Url;

        var logs = new CapturingLoggerProvider();
        var receivers = new List<WebApplication>();
        // Receivers of one store share its storage key file (device keys are encrypted at rest).
        string keyFile = Path.Combine(NewDir(), "device-keys.key");
        for (int r = 0; r < 2; r++)
        {
            WebApplication app = ReceiverApp.Build(new[] { "--urls", "http://127.0.0.1:0", "--data", NewDir(), "--broker", "mqtt://127.0.0.1:" + brokerPort,
                "--store", store.Url, "--operator-token", OperatorToken, "--key-file", keyFile, "--incident-window", "0", // it counts one alert per press
                "--Receiver:Webhooks:0:Url", hookUrl, "--Receiver:Webhooks:0:Secret", "webhook-secret-0123456789",
                "--Logging:LogLevel:Default", "Trace", "--Logging:Console:LogLevel:Default", "None" });
            app.Services.GetRequiredService<ILoggerFactory>().AddProvider(logs);
            apps.Add(app);
            receivers.Add(app);
        }
        var registry = receivers[0].Services.GetRequiredService<DeviceRegistry>();
        for (int d = 0; d < devices; d++)
        {
            registry.Upsert(new DeviceRecord { Id = IdOf(d), Key = new DeviceKey(KeyOf(d)) });
        }
        Assert.IsNotNull(receivers[1].Services.GetRequiredService<DeviceRegistry>().Find(IdOf(0)), "one store: B sees the devices A provisioned");
        foreach (WebApplication app in receivers)
        {
            await app.StartAsync();
        }
        foreach (WebApplication app in receivers)
        {
            var client = app.Services.GetRequiredService<ExternalBrokerClient>();
            await Eventually.WaitFor(() => client.IsSubscribed, TimeSpan.FromSeconds(15), "the receiver subscribing");
        }

        var clients = new List<(IMqttClient Client, BlockingCollection<byte[]> Acks)>();
        for (int d = 0; d < devices; d++)
        {
            var acks = new BlockingCollection<byte[]>();
            var client = new MqttClientFactory().CreateMqttClient();
            client.ApplicationMessageReceivedAsync += e => { acks.Add(e.ApplicationMessage.Payload.ToArray()); return Task.CompletedTask; };
            await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", brokerPort).WithClientId(IdOf(d)).WithProtocolVersion(MqttProtocolVersion.V311).Build());
            await client.SubscribeAsync(Topics.Downlink(IdOf(d)), MqttQualityOfServiceLevel.AtLeastOnce);
            clients.Add((client, acks));
        }
        for (uint counter = 1; counter <= perDevice; counter++)
        {
            for (int d = 0; d < devices; d++)
            {
                await clients[d].Client.PublishBinaryAsync(Topics.Uplink(IdOf(d)), FrameCodec.Encode(SampleFrames.Alert(IdOf(d), counter), KeyOf(d)), MqttQualityOfServiceLevel.AtLeastOnce);
            }
        }
        for (int d = 0; d < devices; d++)
        {
            var acked = new HashSet<uint>();
            for (int i = 0; i < perDevice; i++)
            {
                Assert.IsTrue(clients[d].Acks.TryTake(out byte[]? ack, TimeSpan.FromSeconds(15)), IdOf(d) + " got " + acked.Count + " acks of " + perDevice);
                Assert.IsTrue(acked.Add(FrameCodec.DecodeAndVerify(ack!, KeyOf(d)).Frame.Counter), "one ack per alert");
            }
        }
        Assert.AreEqual((long)devices * perDevice, store.Count("SELECT COUNT(*) FROM frames"));
        Assert.AreEqual((long)devices * perDevice, store.Count("SELECT COUNT(*) FROM alerts"));
        Assert.AreEqual((long)devices * perDevice, store.Count("SELECT COUNT(*) FROM dispatch_queue"));

        await Eventually.WaitFor(() => hooked.Count >= devices * perDevice, TimeSpan.FromSeconds(30), "every alert at the webhook");
        // One more round of each receiver's dispatcher, begun after the last delivery: a duplicate would arrive in it.
        DateTimeOffset after = receivers[0].Services.GetRequiredService<TimeProvider>().GetUtcNow();
        foreach (WebApplication app in receivers)
        {
            var dispatcher = app.Services.GetRequiredService<QueueDispatcher>();
            await Eventually.WaitFor(() => dispatcher.LastFinishedRoundStartedAt >= after, TimeSpan.FromSeconds(10), "a dispatcher round after the last delivery");
        }
        Assert.HasCount(devices * perDevice, hooked, "each alert reaches the webhook once, whichever receiver stored it");
        Assert.AreEqual(devices * perDevice, hooked.Select(h => h.EventId).Distinct().Count());
        foreach (var perDev in hooked.GroupBy(h => h.Device))
        {
            CollectionAssert.AreEqual(Enumerable.Range(1, perDevice).Select(c => (long)c).ToArray(), perDev.Select(h => h.Counter).ToArray(), "in order per device");
        }
        // No extra ack: one more alert of its own, and its ack is the next thing the device reads.
        await clients[0].Client.PublishBinaryAsync(Topics.Uplink(IdOf(0)), FrameCodec.Encode(SampleFrames.Alert(IdOf(0), perDevice + 1), KeyOf(0)), MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.IsTrue(clients[0].Acks.TryTake(out byte[]? next, TimeSpan.FromSeconds(15)), "the sentinel alert is acked");
        Assert.AreEqual((uint)perDevice + 1, FrameCodec.DecodeAndVerify(next!, KeyOf(0)).Frame.Counter, "no extra ack before it");

        string metrics = await new HttpClient { BaseAddress = new Uri(receivers[0].Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()) }
            .GetStringAsync("/metrics");
        Assert.DoesNotContain(password, metrics);
        Assert.IsTrue(logs.Lines.Any(l => l.Contains("Store: postgresql 127.0.0.1:" + TestPostgres.Server().Port + "/")), "the startup line names host, port and database");
        string leaked = logs.Lines.FirstOrDefault(l => l.Contains(password)) ?? "";
        Assert.AreEqual("", leaked, "the database password in a log line");
        foreach (var c in clients)
        {
            await c.Client.DisconnectAsync();
        }
    }

    [TestMethod]
    public void AnUnreachableStoreStopsStartupWithOneLineThatNamesItButNotThePassword()
    {
        TestPostgres.Server(); // Inconclusive without PostgreSQL: the driver's errors are what this checks
        int closed = LoopbackPorts.Free();
        const string password = "pw-that-must-not-leak-91c3";
        var e = Assert.ThrowsExactly<StoreUnavailableException>(() =>
            ReceiverApp.Build(new[] { "--mqtt-port", "0", "--data", NewDir(), "--store", "postgres://pd:" + password + "@127.0.0.1:" + closed + "/alerts" }));
        StringAssert.Contains(e.Message, "postgresql 127.0.0.1:" + closed + "/alerts");
        Assert.DoesNotContain(password, e.ToString(), "not in the message, the inner exception or the stack");
        Assert.DoesNotContain("\n", e.Message, "one line");

        // Reachable, but the password is wrong: the server's refusal is shown, the password is not.
        var wrong = Assert.ThrowsExactly<StoreUnavailableException>(() =>
            ReceiverApp.Build(new[] { "--mqtt-port", "0", "--data", NewDir(), "--store", "postgres://pd:" + password + "@127.0.0.1:" + TestPostgres.Server().Port + "/postgres" }));
        StringAssert.Contains(wrong.Message, "password authentication failed");
        Assert.DoesNotContain(password, wrong.ToString());
    }
}
