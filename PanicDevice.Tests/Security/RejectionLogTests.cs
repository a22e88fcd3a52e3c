using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Protocol;
using PanicDevice.Core.Protocol;
using PanicDevice.Receiver;
using PanicDevice.Receiver.Logging;
using PanicDevice.Receiver.Pipeline;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Security;

/// <summary>
/// Refused input writes a bounded number of log lines (per source and reason, with a count), the
/// counters in /metrics stay exact, and what a client or device chose (SMS sender, client id, user
/// name, topic) cannot forge a log line.
/// </summary>
[TestClass]
public class RejectionLogTests
{
    private const string GatewayToken = "gateway-token-for-log-tests-001";

    private static async Task<(LoopbackReceiver Rx, CapturingLoggerProvider Logs)> Start()
    {
        var rx = await LoopbackReceiver.StartAsync("--gateway-token", GatewayToken);
        var logs = new CapturingLoggerProvider();
        rx.Service<ILoggerFactory>().AddProvider(logs);
        return (rx, logs);
    }

    private static Task WaitForCount(IngestPipeline pipeline, string outcome, long expected) =>
        Eventually.WaitFor(() => pipeline.Counts.GetValueOrDefault(outcome) >= expected, TimeSpan.FromSeconds(60), expected + " frames counted as " + outcome);

    [TestMethod]
    public async Task AFloodOfRejectedFramesWritesOneLinePerDeviceAndReasonWhileEveryFrameIsCounted()
    {
        var (rx, logs) = await Start();
        await using var _ = rx;
        await rx.ProvisionAsync("fob-0001");
        int port = rx.Service<ReceiverOptions>().MqttPort;
        using IMqttClient device = await MqttConnect.DeviceAsync(port, "fob-0001", LoopbackReceiver.Key);
        var acks = new MqttConnect.AckCollector(device, LoopbackReceiver.Key);
        await device.SubscribeAsync(Topics.Downlink("fob-0001"), MqttQualityOfServiceLevel.AtLeastOnce);
        const int Forged = 3000, Mismatched = 500;
        for (uint i = 0; i < Forged; i++)
        {
            await device.PublishBinaryAsync(Topics.Uplink("fob-0001"), FrameCodec.Encode(SampleFrames.Alert("fob-0001", 100 + i), SampleFrames.Key(0x99)), MqttQualityOfServiceLevel.AtMostOnce);
        }
        for (uint i = 0; i < Mismatched; i++)
        {
            await device.PublishBinaryAsync(Topics.Uplink("fob-0001"), FrameCodec.Encode(SampleFrames.Alert("fob-0002", 100 + i), LoopbackReceiver.Key), MqttQualityOfServiceLevel.AtMostOnce);
        }
        await device.PublishBinaryAsync(Topics.Uplink("fob-0001"), FrameCodec.Encode(SampleFrames.Alert("fob-0001", 7), LoopbackReceiver.Key), MqttQualityOfServiceLevel.AtLeastOnce);
        await acks.WaitForAsync(7, TimeSpan.FromSeconds(30));
        var pipeline = rx.Service<IngestPipeline>();
        await WaitForCount(pipeline, "rejected_BadTag", Forged);
        await WaitForCount(pipeline, "rejected_TopicMismatch", Mismatched);

        string metrics = await rx.Http.GetStringAsync("/metrics");
        StringAssert.Contains(metrics, "pd_ingest_total{outcome=\"rejected_BadTag\"} " + Forged);
        StringAssert.Contains(metrics, "pd_ingest_total{outcome=\"rejected_TopicMismatch\"} " + Mismatched);
        string[] lines = logs.Lines.ToArray();
        Assert.AreEqual(1, lines.Count(l => l.Contains("fob-0001", StringComparison.Ordinal) && l.Contains("BadTag", StringComparison.Ordinal)), "one line for the first forged frame; the rest wait for the minute's summary");
        Assert.AreEqual(1, lines.Count(l => l.Contains("fob-0001", StringComparison.Ordinal) && l.Contains("TopicMismatch", StringComparison.Ordinal)), "a reason of its own gets its own first line");
    }

    [TestMethod]
    public async Task SmsTextThatIsNotAFrameIsCountedAndLoggedOnceAndItsSenderCannotForgeALine()
    {
        var (rx, logs) = await Start();
        await using var _ = rx;
        const string Sender = "+6281\n2026-11-01 INFO Device fob-0001 cancelled by operator\r\u001b[2K\u0085";
        for (int i = 0; i < 50; i++)
        {
            var r = new HttpRequestMessage(HttpMethod.Post, "/api/sms/inbound") { Content = System.Net.Http.Json.JsonContent.Create(new { from = Sender, text = "PD1:@@@" }) };
            r.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", GatewayToken);
            Assert.AreEqual(HttpStatusCode.UnprocessableEntity, (await rx.Http.SendAsync(r)).StatusCode);
        }
        StringAssert.Contains(await rx.Http.GetStringAsync("/metrics"), "pd_ingest_total{outcome=\"rejected_BadText\"} 50");
        string[] badText = logs.Lines.Where(l => l.Contains("BadText", StringComparison.Ordinal)).ToArray();
        Assert.HasCount(1, badText, "logged, once");
        Assert.IsFalse(badText[0].Any(c => char.IsControl(c) || c == '\u2028'), "no control character from the sender reaches the line: " + badText[0]);
        StringAssert.Contains(badText[0], "+6281\\n2026-11-01 INFO", "the sender is shown, escaped");
    }

    [TestMethod]
    public async Task RefusedLoginsAreLoggedOncePerUserWithNamesEscapedAndManyNamesStillFewLines()
    {
        var (rx, logs) = await Start();
        await using var _ = rx;
        int port = rx.Service<ReceiverOptions>().MqttPort;
        for (int i = 0; i < 100; i++)
        {
            await RefusedLogin(port, "fob-zzz", "fob-zzz");
        }
        await RefusedLogin(port, "evil\r\nINFO forged", "evil\nWARN forged\u001b[1A");
        for (int i = 0; i < 300; i++)
        {
            await RefusedLogin(port, "c" + i, "user-" + i);
        }
        StringAssert.Contains(await rx.Http.GetStringAsync("/metrics"), "pd_mqtt_refused_total{reason=\"bad_login\"} 401");
        string[] refused = logs.Lines.Where(l => l.Contains("MQTT login refused", StringComparison.Ordinal)).ToArray();
        Assert.AreEqual(1, refused.Count(l => l.Contains("fob-zzz", StringComparison.Ordinal)), "a hundred refusals of one user: one line");
        Assert.IsFalse(refused.Any(l => l.Any(char.IsControl)), "names chosen by the client are escaped");
        Assert.IsTrue(refused.Any(l => l.Contains("evil\\nWARN forged\\u001B[1A", StringComparison.Ordinal)), string.Join("\n", refused.Take(3)));
        Assert.IsLessThanOrEqualTo(RejectionLog.SourcesPerInterval + 1, refused.Length, "three hundred user names do not make three hundred lines");
    }

    private static async Task RefusedLogin(int port, string clientId, string user)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        NetworkStream s = tcp.GetStream();
        await s.WriteAsync(RawMqtt.Connect(clientId, user, "not-the-password"));
        var (closed, received) = await RawMqtt.ClosedAsync(s, TimeSpan.FromSeconds(10));
        Assert.IsTrue(closed);
        CollectionAssert.AreEqual(new byte[] { 0x20, 0x02, 0x00, 0x04 }, received);
    }

    // ---- RejectionLog alone, on a clock the test moves ----

    private sealed class Lines : ILogger
    {
        public List<string> All { get; } = new();
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            All.Add(logLevel + " " + formatter(state, exception));
    }

    [TestMethod]
    public void TheFirstLineGoesOutThenOneSummaryPerIntervalWithTheCount()
    {
        var clock = new ManualClock();
        var lines = new Lines();
        using var log = new RejectionLog(lines, clock);
        for (int i = 0; i < 10_000; i++)
        {
            log.Warn("BadTag", "fob-1", "Frame from {Device} rejected: {Reason}", "fob-1", "BadTag");
        }
        Assert.HasCount(1, lines.All);
        Assert.AreEqual("Warning Frame from fob-1 rejected: BadTag", lines.All[0]);
        clock.Advance(RejectionLog.Interval);
        log.Warn("BadTag", "fob-1", "Frame from {Device} rejected: {Reason}", "fob-1", "BadTag");
        Assert.HasCount(2, lines.All);
        Assert.AreEqual("Warning Frame from fob-1 rejected: BadTag (10000 in the last 60 s)", lines.All[1]);
        log.Warn("BadTag", "fob-1", "Frame from {Device} rejected: {Reason}", "fob-1", "BadTag");
        clock.Advance(RejectionLog.Interval);
        log.Flush();
        Assert.HasCount(3, lines.All, "a source that went quiet still gets its summary");
        Assert.AreEqual("Warning Frame from fob-1 rejected: BadTag (1 in the last 60 s)", lines.All[2]);
        clock.Advance(RejectionLog.Interval);
        log.Flush();
        Assert.HasCount(3, lines.All, "nothing held back: nothing to say");
    }

    [TestMethod]
    public void EachDeviceAndReasonHasItsOwnFirstLineButNewSourcesPerIntervalAreCapped()
    {
        var clock = new ManualClock();
        var lines = new Lines();
        using var log = new RejectionLog(lines, clock);
        log.Warn("BadTag", "fob-1", "{Device} {Reason}", "fob-1", "BadTag");
        log.Warn("Replay", "fob-1", "{Device} {Reason}", "fob-1", "Replay");
        log.Warn("BadTag", "fob-2", "{Device} {Reason}", "fob-2", "BadTag");
        Assert.HasCount(3, lines.All);
        for (int i = 0; i < 1000; i++)
        {
            log.Warn("BadLogin", "user-" + i, "login refused for {User}", "user-" + i);
        }
        Assert.HasCount(3 + RejectionLog.SourcesPerInterval, lines.All, "at most this many new sources a reason per interval");
        clock.Advance(RejectionLog.Interval);
        log.Flush();
        Assert.AreEqual("Warning " + (1000 - RejectionLog.SourcesPerInterval) + " more BadLogin from sources not logged separately in the last 60 s", lines.All[^1]);
        Assert.AreEqual(0, log.TrackedSources, "quiet sources are forgotten: the table stays small");
    }

    [TestMethod]
    public void ClientChosenTextIsEscapedAndShortened()
    {
        Assert.AreEqual("plain-id_1.2", LogText.Escape("plain-id_1.2"));
        Assert.AreEqual("a\\nb\\rc\\td\\\\e\\u001B[2K\\u0085\\u2028\\u202E", LogText.Escape("a\nb\rc\td\\e\u001b[2K\u0085\u2028\u202E"));
        Assert.AreEqual("(none)", LogText.Escape(null));
        string longText = LogText.Escape(new string('x', 10_000));
        Assert.IsLessThan(200, longText.Length);
        StringAssert.EndsWith(longText, "…(+" + (10_000 - LogText.MaxChars) + ")");
    }
}
