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
using PanicDevice.Receiver;
using PanicDevice.Receiver.Storage;
using PanicDevice.Tests.Receiver;

namespace PanicDevice.Tests.Cli;

/// <summary>
/// Issue 13, item 1, as reported: provision a fob, `simulate` a test alert, delete its device.json.flash/ (what a
/// mass erase does to a device whose device.json is flashed again), `simulate` a triple tap. The panic must end
/// stored and acknowledged, the operators must see the refused first attempt as a counter-reuse event, and the
/// acknowledgement must come only for the stored panic. Real receiver, real broker, Core on the emulated modem.
/// </summary>
[TestClass]
public class CounterRestartSimulateTests
{
    private const string Token = "operator-token-for-counter-01";
    private const string GatewayToken = "gateway-token-for-counter-01";
    private const string Id = "fob-0077";
    private string dir = "";
    private WebApplication receiver = null!;
    private string url = "";
    private int mqtt;

    [TestInitialize]
    public async Task Start()
    {
        dir = Path.Combine(Path.GetTempPath(), "pd-ctr-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        mqtt = LoopbackPorts.Free();
        receiver = ReceiverApp.Build(new[] { "--urls", "http://127.0.0.1:0", "--mqtt-port", mqtt.ToString(), "--data", Path.Combine(dir, "data"),
            "--operator-token", Token, "--gateway-token", GatewayToken, "--Logging:LogLevel:Default", "Warning" });
        await receiver.StartAsync();
        url = receiver.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
    }

    [TestCleanup]
    public async Task Stop()
    {
        await receiver.StopAsync();
        await receiver.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(dir, true);
    }

    private async Task<string> Provision()
    {
        string path = Path.Combine(dir, Id + ".json");
        var output = new StringWriter();
        var request = new ProvisionRequest(Id, "fob", "Siti Rahma", "+6281234567890", new[] { "+6281200000001" }, null, null, null,
            url, Token, "127.0.0.1", mqtt, "internet", "en", "+6281299999999", path);
        Assert.AreEqual(0, await ProvisionCommand.RunAsync(request, output), output.ToString());
        return path;
    }

    private async Task<string> Simulate(string config, string script, bool noData = false)
    {
        var output = new StringWriter();
        int code = await new SimulateCommand(new SimulateOptions(config, null, null, 0, noData, url + "/api/sms/inbound", GatewayToken,
            VirtualTime: true, ScriptText: script), output).RunAsync();
        Assert.AreEqual(0, code, output.ToString());
        return output.ToString();
    }

    private async Task<JsonElement> Get(string path)
    {
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        return await http.GetFromJsonAsync<JsonElement>(url + path);
    }

    private async Task<string> Metrics()
    {
        using var http = new HttpClient();
        return await http.GetStringAsync(url + "/metrics");
    }

    /// <summary>The stored alert frames of the device by code ("test", "panic"), oldest first.</summary>
    private List<string> StoredAlertKinds() => new AlertBook(receiver.Services.GetRequiredService<ReceiverDatabase>()).Recent(50)
        .Where(a => a.DeviceId == Id).OrderBy(a => a.Id).Select(a => a.Kind).ToList();

    private static int Acknowledgements(string output) => output.Split('\n').Count(l => l.Contains("device feedback: Acknowledged", StringComparison.Ordinal));

    [TestMethod]
    public async Task TestAlertWipedFlashTripleTapEndsWithThePanicStoredAndAcknowledged()
    {
        string config = await Provision();
        await Simulate(config, "test\nexpect Acknowledged 30\n");
        Directory.Delete(config + ".flash", true);

        string output = await Simulate(config, "taps 3\nexpect Acknowledged 30\nwait 1000\n");
        CollectionAssert.AreEqual(new[] { "test", "panic" }, StoredAlertKinds(), "the panic must be stored, not taken for the test alert: " + output);
        Assert.AreEqual(1, Acknowledgements(output), "acknowledged once, for the stored panic: " + output);
        var frames = receiver.Services.GetRequiredService<FrameStore>();
        Assert.AreEqual(2L, frames.CountFrames(Id, MessageKind.Alert));

        JsonElement e = (await Get("/api/counter-events")).EnumerateArray().Single();
        Assert.AreEqual("counter-reuse", e.GetProperty("reason").GetString());
        Assert.AreEqual("alert", e.GetProperty("kind").GetString());
        Assert.AreEqual("panic", e.GetProperty("code").GetString(), "operators saw what the refused frame said");
        Assert.AreEqual(1u, e.GetProperty("counter").GetUInt32(), "the counter the wiped device started again at");
        JsonElement panic = (await Get("/api/alerts")).EnumerateArray().First(a => a.GetProperty("kind").GetString() == "panic");
        Assert.AreEqual(panic.GetProperty("counter").GetUInt32(), e.GetProperty("resentCounter").GetUInt32(), "the event points at the stored panic");
        Assert.IsFalse(e.GetProperty("open").GetBoolean());
        Assert.IsTrue(panic.GetProperty("timeline").EnumerateArray().Any(t => t.GetProperty("event").GetString() == "counter-resync"), panic.ToString());

        string metrics = await Metrics();
        StringAssert.Contains(metrics, "pd_ingest_total{outcome=\"rejected_CounterReuse\"} ");
        StringAssert.Contains(metrics, "pd_counter_events_open 0");
        Assert.IsFalse(metrics.Contains("pd_resyncs_issued_total 0\n", StringComparison.Ordinal), metrics);
    }

    [TestMethod]
    public async Task WithoutDataTheRefusedPanicReachesOperatorsAndIsStoredOnceDataReturns()
    {
        string config = await Provision();
        await Simulate(config, "test\nexpect Acknowledged 30\n");
        Directory.Delete(config + ".flash", true);

        // Only SMS: the gateway's copy is refused (SMS has no way back), and operators see the panic as a counter event.
        string offline = await Simulate(config, "taps 3\nexpect SmsFallback 40\nwait 20000\n", noData: true);
        StringAssert.Contains(offline, "SMS to 112: EMERGENCY");
        StringAssert.Contains(offline, "SMS gateway → receiver: 409 ");
        CollectionAssert.AreEqual(new[] { "test" }, StoredAlertKinds());
        JsonElement e = (await Get("/api/counter-events")).EnumerateArray().Single();
        Assert.AreEqual("panic", e.GetProperty("code").GetString());
        Assert.AreEqual("sms", e.GetProperty("path").GetString());
        Assert.IsTrue(e.GetProperty("open").GetBoolean(), "nothing resolved it yet: operators must act on it");
        StringAssert.Contains(await Metrics(), "pd_counter_events_open 1");
        Assert.AreEqual(0, Acknowledgements(offline), "never acknowledged while it is not stored");

        // Data is back after a reboot: the outbox still holds the panic; it is refused, re-signed and stored.
        string online = await Simulate(config, "expect Acknowledged 90\nwait 1000\n");
        CollectionAssert.AreEqual(new[] { "test", "panic" }, StoredAlertKinds(), online);
        Assert.IsFalse((await Get("/api/counter-events")).EnumerateArray().Single().GetProperty("open").GetBoolean(), "the re-sent panic resolved it");
    }
}
