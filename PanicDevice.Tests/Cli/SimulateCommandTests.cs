using PanicDevice.Bench.Engines;
using PanicDevice.Tests.Support;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using PanicDevice.Cli;
using PanicDevice.Core.Protocol;
using PanicDevice.ModemEmulator;
using PanicDevice.Receiver;
using PanicDevice.Receiver.Storage;
using PanicDevice.Tests.Receiver;

namespace PanicDevice.Tests.Cli;

/// <summary>panicctl against a real receiver on loopback: provision, simulate (script, track, no data), devices, alerts tail, alert test, modem check.</summary>
[TestClass]
public class SimulateCommandTests
{
    private const string Token = "operator-token-for-simulate-01";
    private const string GatewayToken = "gateway-token-for-simulate-01";
    private string dir = "";
    private WebApplication receiver = null!;
    private string url = "";
    private int mqtt;

    [TestInitialize]
    public async Task Start()
    {
        dir = Path.Combine(Path.GetTempPath(), "pd-sim-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        mqtt = LoopbackPorts.Free();
        receiver = ReceiverApp.Build(new[] { "--urls", "http://127.0.0.1:0", "--mqtt-port", mqtt.ToString(), "--data", Path.Combine(dir, "data"),
            "--operator-token", Token, "--gateway-token", GatewayToken, "--Logging:LogLevel:Default", "Warning" });
        await receiver.StartAsync();
        url = receiver.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    }

    [TestCleanup]
    public async Task Stop()
    {
        await receiver.StopAsync();
        await receiver.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(dir, true);
    }

    private async Task<string> Provision(string id = "fob-0077", string kind = "fob")
    {
        string path = Path.Combine(dir, id + ".json");
        var output = new StringWriter();
        bool wall = kind == "wall";
        var request = new ProvisionRequest(id, kind, "Siti Rahma", "+6281234567890", new[] { "+6281200000001" }, wall ? "Jl. Sabang 12, Jakarta" : null,
            wall ? -6.1863 : null, wall ? 106.8237 : null,
            url, Token, "127.0.0.1", mqtt, "internet", "en", "+6281299999999", path);
        Assert.AreEqual(0, await ProvisionCommand.RunAsync(request, output), output.ToString());
        return path;
    }

    private async Task<(int Code, string Output)> Simulate(string config, string script, string? track = null, bool noData = false, bool wifi = false,
        string[]? phones = null)
    {
        string scriptPath = Path.Combine(dir, Guid.NewGuid().ToString("N") + ".txt");
        File.WriteAllText(scriptPath, script);
        var output = new StringWriter();
        int code = await new SimulateCommand(new SimulateOptions(config, scriptPath, track, 0, noData,
            url.TrimEnd('/') + "/api/sms/inbound", GatewayToken, VirtualTime: true, Wifi: wifi, Phones: phones), output).RunAsync();
        return (code, output.ToString());
    }

    private async Task<JsonElement> Alerts()
    {
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        return await http.GetFromJsonAsync<JsonElement>(url.TrimEnd('/') + "/api/alerts");
    }

    [TestMethod]
    public async Task TripleTapIsStoredAcknowledgedAndVisibleThroughTheApi()
    {
        string config = await Provision();
        var (code, output) = await Simulate(config, "taps 3\nexpect Acknowledged 30\n");
        Assert.AreEqual(0, code, output);
        StringAssert.Contains(output, "device feedback: Acknowledged");
        var alert = (await Alerts()).EnumerateArray().Single();
        Assert.AreEqual("fob-0077", alert.GetProperty("deviceId").GetString());
        Assert.AreEqual("panic", alert.GetProperty("kind").GetString());
        Assert.AreEqual("mqtt", receiver.Services.GetRequiredService<FrameStore>().PathOf("fob-0077", alert.GetProperty("counter").GetUInt32()));
    }

    [TestMethod]
    public async Task WithoutDataTheSimulationShowsTheDeviceCallingAndAGuardianConfirming()
    {
        string config = await Provision();
        // Calls are a device.json setting: turn them on as an installer would.
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(config))!.AsObject();
        json["calls"] = new System.Text.Json.Nodes.JsonObject { ["enabled"] = true, ["rounds"] = 1, ["emergencyHoldS"] = 10 };
        File.WriteAllText(config, json.ToJsonString());
        var (code, output) = await Simulate(config, "taps 3\nexpect SmsFallback 60\nwait 60000\n", noData: true,
            phones: new[] { "112=answer", "+6281200000001=answer:1" });
        Assert.AreEqual(0, code, output);
        StringAssert.Contains(output, "device call: dialling 112");
        StringAssert.Contains(output, "device call: connected 112");
        StringAssert.Contains(output, "device call: connected +6281200000001");
        StringAssert.Contains(output, "device call: +6281200000001 confirmed with the key");
        var bad = await Assert.ThrowsExactlyAsync<CliException>(() => Simulate(config, "wait 10\n", phones: new[] { "112=pickup" }));
        StringAssert.Contains(bad.Message, "is not answer, answer:KEYS");
    }

    [TestMethod]
    public async Task AWallUnitWithWifiSendsOverWifiAndOverCellularOnceItsWifiIsLost()
    {
        string config = await Provision("wall-0009", "wall");
        var (code, output) = await Simulate(config, "expect WifiConnected 60\ntap\nexpect Acknowledged 30\n", wifi: true);
        Assert.AreEqual(0, code, output);
        // Wi-Fi carried it (cellular may join in if a loaded machine stretched the ack past the failover
        // time; WallUnitDualPathTests checks the failover rule itself).
        StringAssert.Contains(output, "paths: ");
        Assert.DoesNotMatchRegex(new System.Text.RegularExpressions.Regex(@"paths: 0 frame"), output, "the alert went on Wi-Fi: " + output);

        var (code2, output2) = await Simulate(config, "expect WifiConnected 60\nwifidown\nwait 500\ntap\nexpect Acknowledged 30\n", wifi: true);
        Assert.AreEqual(0, code2, output2);
        StringAssert.Contains(output2, "Wi-Fi: network lost");
        StringAssert.Contains(output2, "paths: 0 frame(s) sent on Wi-Fi", "with Wi-Fi lost the alert went on cellular: " + output2);
        var frames = receiver.Services.GetRequiredService<FrameStore>();
        Assert.AreEqual(2L, frames.CountFrames("wall-0009", MessageKind.Alert), "each press stored once");
    }

    [TestMethod]
    public async Task WifiIsRefusedForAFobAndWifiStepsNeedIt()
    {
        string config = await Provision();
        var e = await Assert.ThrowsExactlyAsync<CliException>(() => Simulate(config, "tap\n", wifi: true));
        StringAssert.Contains(e.Message, "--wifi is for wall units");
        var e2 = await Assert.ThrowsExactlyAsync<CliException>(() => Simulate(config, "wifidown\n"));
        StringAssert.Contains(e2.Message, "wifidown needs --wifi");
    }

    [TestMethod]
    public async Task AnUnmetExpectationFailsTheRunWithAReason()
    {
        string config = await Provision();
        var (code, output) = await Simulate(config, "wait 100\nexpect Acknowledged 2\n");
        Assert.AreEqual(1, code);
        StringAssert.Contains(output, "EXPECTATION NOT MET (line 2)");
    }

    [TestMethod]
    public async Task AnExpectationIsMetOnlyByAnEventAfterThePreviousStep()
    {
        string config = await Provision();
        // Line 4 asks for a second acknowledgement; the only one came before "wait 100", so it is not met.
        var (code, output) = await Simulate(config, "taps 3\nexpect Acknowledged 30\nwait 100\nexpect Acknowledged 2\n");
        Assert.AreEqual(1, code, output);
        StringAssert.Contains(output, "ok (line 2): Acknowledged");
        StringAssert.Contains(output, "EXPECTATION NOT MET (line 4)");

        // Expectations in a row are met in order: each by an event after the one the line before it matched.
        var (inOrder, inOrderOutput) = await Simulate(config, "taps 3\nexpect Sending 10\nexpect Acknowledged 30\n");
        Assert.AreEqual(0, inOrder, inOrderOutput);
        var (reversed, reversedOutput) = await Simulate(config, "taps 3\nexpect Acknowledged 30\nexpect Sending 2\n");
        Assert.AreEqual(1, reversed, reversedOutput);
        StringAssert.Contains(reversedOutput, "EXPECTATION NOT MET (line 3)");
    }

    [TestMethod]
    public async Task SimulatedFramesCarryTheHostsTime()
    {
        string config = await Provision();
        // Pressed once the modem has registered and given the device its network time (a frame built before says 0, "not set").
        var (code, output) = await Simulate(config, "wait 10000\ntaps 3\nexpect Acknowledged 30\n");
        Assert.AreEqual(0, code, output);
        using var c = receiver.Services.GetRequiredService<ReceiverDatabase>().Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT device_time_utc FROM frames WHERE device_id = 'fob-0077' AND kind = " + (int)MessageKind.Alert;
        long deviceTime = (long)cmd.ExecuteScalar()!;
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        // The modem's network time is the host clock; virtual time runs the device a little ahead of it.
        Assert.IsLessThan(300L, Math.Abs(now - deviceTime), "frame time " + DateTimeOffset.FromUnixTimeSeconds(deviceTime).ToString("O") + ", host " + DateTimeOffset.UtcNow.ToString("O"));
    }

    [TestMethod]
    public async Task FollowUpLocationsTravelAlongTheTrack()
    {
        string config = await Provision();
        string gpx = Path.Combine(dir, "walk.gpx");
        File.WriteAllText(gpx, """
            <?xml version="1.0"?>
            <gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>
              <trkpt lat="-6.1753924" lon="106.8271528"><time>2026-11-29T01:00:00Z</time></trkpt>
              <trkpt lat="-6.1800000" lon="106.8300000"><time>2026-11-29T01:01:00Z</time></trkpt>
              <trkpt lat="-6.1850000" lon="106.8350000"><time>2026-11-29T01:02:00Z</time></trkpt>
            </trkseg></trk></gpx>
            """);
        var (code, output) = await Simulate(config, "wait 1000\ntaps 3\nexpect Acknowledged 30\nwait 135000\n", gpx);
        Assert.AreEqual(0, code, output);
        var frames = receiver.Services.GetRequiredService<FrameStore>();
        Assert.IsGreaterThanOrEqualTo(2L, frames.CountFrames("fob-0077", MessageKind.Update), "follow-ups every 60 s while the alert is open: " + output);
        var alert = (await Alerts()).EnumerateArray().Single();
        Assert.AreEqual(-6.185, alert.GetProperty("lat").GetDouble(), 0.0006, "the alert shows the latest position along the track");
    }

    [TestMethod]
    public async Task CancelPatternCancelsAndDuressCancelShowsDuressOnlyToTheOperator()
    {
        string config = await Provision();
        var (code, output) = await Simulate(config, "taps 3\nexpect Acknowledged 30\nwait 2000\nhold 8500\nwait 5000\n");
        Assert.AreEqual(0, code, output);
        var cancelled = (await Alerts()).EnumerateArray().ToList();
        Assert.IsTrue(cancelled.All(a => a.GetProperty("state").GetString() == "cancelled"), "cancelled: " + string.Join(", ", cancelled.Select(a => a.GetProperty("kind") + "/" + a.GetProperty("state"))));
        Assert.IsFalse(cancelled.Any(a => a.GetProperty("duress").GetBoolean()));

        var (code2, duressOutput) = await Simulate(config, "taps 3\nexpect Acknowledged 30\nwait 2000\ntap\nhold 8500\nwait 5000\n");
        Assert.AreEqual(0, code2, duressOutput);
        var duress = (await Alerts()).EnumerateArray().First();
        Assert.AreEqual("new", duress.GetProperty("state").GetString(), "a coerced cancel closes nothing: the person is not safe. " + duress);
        Assert.IsTrue(duress.GetProperty("duress").GetBoolean(), "the operator sees duress");
        Assert.DoesNotContain("duress", duressOutput.ToLowerInvariant(), "the device shows a plain cancel");
        // A plain cancel's 8 s hold also raises (and gets acknowledged) an alert at 3 s, so the sequences differ;
        // what the person holding the fob is finally shown must not.
        Assert.AreEqual("Cancelled", FeedbackLines(output).Split(',').Last());
        Assert.AreEqual("Cancelled", FeedbackLines(duressOutput).Split(',').Last(), "the device shows a plain cancel after a duress cancel");
    }

    private static string FeedbackLines(string output) =>
        string.Join(",", output.Split('\n').Where(l => l.Contains("device feedback:")).Select(l => l[(l.IndexOf("device feedback:", StringComparison.Ordinal) + 16)..].Trim()));

    [TestMethod]
    public async Task WithoutDataTheSmsFallbackReachesTheReceiverThroughTheGateway()
    {
        string config = await Provision();
        var (code, output) = await Simulate(config, "taps 3\nexpect SmsFallback 40\nwait 20000\n", noData: true);
        Assert.AreEqual(0, code, output);
        StringAssert.Contains(output, "SMS to 112: EMERGENCY: panic button pressed from Siti Rahma");
        StringAssert.Contains(output, "SMS to +6281200000001:");
        StringAssert.Contains(output, "SMS to +6281299999999: PD1:");
        var alert = (await Alerts()).EnumerateArray().Single();
        Assert.AreEqual("sms", receiver.Services.GetRequiredService<FrameStore>().PathOf("fob-0077", alert.GetProperty("counter").GetUInt32()), "verified and stored from the data SMS");
    }

    [TestMethod]
    public async Task DevicesListRevokeAlertsTailAndAlertTestThroughTheCommandLine()
    {
        string config = await Provision("fob-0078");
        var output = new StringWriter();
        var error = new StringWriter();
        Assert.AreEqual(0, await CliApp.RunAsync(new[] { "devices", "list", "--receiver", url, "--token", Token }, output, error), error.ToString());
        StringAssert.Contains(output.ToString(), "fob-0078");

        var tailOutput = new StringWriter();
        var tail = CliApp.RunAsync(new[] { "alerts", "tail", "--receiver", url, "--token", Token, "--count", "1", "--seconds", "60" }, tailOutput, error);
        // The tail has its snapshot of the alerts already there once it says it is following; a new one is new to it.
        await Eventually.WaitFor(() => tailOutput.ToString().Contains("following alerts at"), TimeSpan.FromSeconds(30), "alerts tail taking its first snapshot");
        var testOutput = new StringWriter();
        Assert.AreEqual(0, await CliApp.RunAsync(new[] { "alert", "test", "--config", config, "--id", "fob-0078", "--receiver", url, "--token", Token }, testOutput, error),
            testOutput + error.ToString());
        StringAssert.Contains(testOutput.ToString(), "acknowledged end to end");
        Assert.AreEqual(0, await tail, tailOutput.ToString());
        StringAssert.Contains(tailOutput.ToString(), "NEW");
        StringAssert.Contains(tailOutput.ToString(), "fob-0078 test");

        Assert.AreEqual(0, await CliApp.RunAsync(new[] { "devices", "revoke", "--id", "fob-0078", "--receiver", url, "--token", Token }, output, error));
        var refused = new StringWriter();
        Assert.AreEqual(1, await CliApp.RunAsync(new[] { "devices", "revoke", "--id", "nope", "--receiver", url, "--token", Token }, refused, refused));
        StringAssert.Contains(refused.ToString(), "error: no device nope");
        Assert.AreEqual(1, await CliApp.RunAsync(new[] { "devices", "list", "--receiver", url, "--token", "wrong-token-0000000000" }, refused, refused));
        StringAssert.Contains(refused.ToString(), "refused the operator token");
    }

    [TestMethod]
    public async Task ModemCheckDrivesTheModemThroughEveryStep()
    {
        var modem = new Sim800Emulator();
        long now = 0;
        var output = new StringWriter();
        int code = ModemCheckCommand.Run(modem.DeviceSide, modem, new ModemCheckOptions(MqttHostPort: "127.0.0.1:" + mqtt, SmsNumber: "+6281200000001"),
            () => now += 5, t => modem.Poll(t), output);
        Assert.AreEqual(0, code, output.ToString() + " / " + string.Join(" | ", modem.Commands.TakeLast(10)));
        StringAssert.Contains(output.ToString(), "ok    TCP round trip (MQTT CONNECT → CONNACK)", output.ToString());
        StringAssert.Contains(output.ToString(), "ok    TCP round trip (MQTT CONNECT → CONNACK): return code 4", "a CONNECT without credentials is refused by the receiver's broker: still a round trip");
        Assert.AreEqual("+6281200000001", modem.Sms.Single().Number);
        await Task.CompletedTask;

        var noSim = new Sim800Emulator(new EmulatorFaults { NoSim = true });
        var failed = new StringWriter();
        Assert.AreEqual(1, ModemCheckCommand.Run(noSim.DeviceSide, noSim, new ModemCheckOptions(), () => now += 5, t => noSim.Poll(t), failed));
        StringAssert.Contains(failed.ToString(), "FAIL  SIM and network registration: no usable SIM");
    }
}

/// <summary>Supervision end to end: a device's heartbeats keep it "seen"; when they stop, the receiver raises "device silent".</summary>
[TestClass]
public class DeviceSilentTests
{
    [TestMethod]
    public async Task WhenHeartbeatsStopTheReceiverRaisesDeviceSilent()
    {
        string dir = Path.Combine(Path.GetTempPath(), "pd-silent-" + Guid.NewGuid().ToString("N"));
        int mqtt = LoopbackPorts.Free();
        var clock = new ManualTime { Now = DateTimeOffset.UtcNow };
        var receiver = ReceiverApp.Build(new[] { "--urls", "http://127.0.0.1:0", "--mqtt-port", mqtt.ToString(), "--data", dir, "--Logging:LogLevel:Default", "Warning" }, clock);
        byte[] key = PanicDevice.Tests.Support.SampleFrames.Key(0x70);
        receiver.Services.GetRequiredService<PanicDevice.Receiver.Registry.DeviceRegistry>().Upsert(
            new PanicDevice.Receiver.Registry.DeviceRecord { Id = "fob-0090", Key = new PanicDevice.Receiver.Registry.DeviceKey(key), HeartbeatIntervalS = 60 });
        await receiver.StartAsync();
        try
        {
            var device = new PanicDevice.Host.SimulatedDevice(new PanicDevice.Core.Config.DeviceConfig
            {
                DeviceId = "fob-0090", Key = key, BrokerHost = "127.0.0.1", BrokerPort = mqtt, HeartbeatIntervalS = 60,
            }, _ => { }, new PanicDevice.Host.SimulatedDeviceOptions { Modem = StartedModem(), VirtualStepMs = 10, ConnectTimeoutMs = 90000 });
            var frames = receiver.Services.GetRequiredService<FrameStore>();
            Assert.IsTrue(device.RunUntil(() => frames.CountFrames("fob-0090", MessageKind.Heartbeat) >= 2, TimeSpan.FromSeconds(200)), "heartbeats every 60 s");
            var supervision = receiver.Services.GetRequiredService<PanicDevice.Receiver.Supervision.SupervisionMonitor>();
            clock.Now += TimeSpan.FromSeconds(100);
            supervision.Check();
            Assert.IsFalse(supervision.Open().Any(e => e.DeviceId == "fob-0090" && e.Event == "device-silent"), "100 s after a heartbeat is within interval + grace");

            // The device goes quiet (it is no longer run); the receiver's clock moves past interval + grace.
            clock.Now += TimeSpan.FromSeconds(30);
            supervision.Check();
            var silent = supervision.Open().Single(e => e.DeviceId == "fob-0090");
            Assert.AreEqual("device-silent", silent.Event);
        }
        finally
        {
            await receiver.StopAsync();
            await receiver.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, true);
        }
    }

    private static Sim800Emulator StartedModem()
    {
        var modem = new Sim800Emulator();
        modem.StartOn(0);
        return modem;
    }
}
