using PanicDevice.Bench.Engines;
using System.Net;
using MQTTnet;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PanicDevice.Core.Protocol;
using PanicDevice.Receiver;
using PanicDevice.Receiver.Storage;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Receiver;

/// <summary>The receiver as a real HTTP server on loopback, with its real SQLite file.</summary>
[TestClass]
public class ReceiverHttpTests
{
    private const string OperatorToken = "operator-token-for-tests-0001";
    private const string GatewayToken = "gateway-token-for-tests-00001";
    private static readonly byte[] Key = SampleFrames.RandomKey(0x50);
    private string dir = "";
    private WebApplication app = null!;
    private HttpClient http = null!;
    private int brokerPort;

    [TestInitialize]
    public async Task Start()
    {
        dir = Path.Combine(Path.GetTempPath(), "pd-http-" + Guid.NewGuid().ToString("N"));
        brokerPort = LoopbackPorts.Free();
        app = ReceiverApp.Build(new[] { "--urls", "http://127.0.0.1:0", "--mqtt-port", brokerPort.ToString(), "--data", dir,
            "--operator-token", OperatorToken, "--gateway-token", GatewayToken, "--incident-window", "600" });
        await app.StartAsync();
        string url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        http = new HttpClient { BaseAddress = new Uri(url) };
    }

    [TestCleanup]
    public async Task Stop()
    {
        await app.StopAsync();
        await app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(dir, true);
    }

    private HttpRequestMessage Request(HttpMethod method, string path, string? token, object? body = null)
    {
        var r = new HttpRequestMessage(method, path);
        if (token != null) r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body != null) r.Content = JsonContent.Create(body);
        return r;
    }

    private Task<HttpResponseMessage> Provision(string token, string id = "fob-0001", string? key = null) =>
        http.SendAsync(Request(HttpMethod.Post, "/api/devices", token, new { id, key = key ?? Convert.ToHexString(Key), kind = "fob", ownerName = "Siti", ownerPhone = "+6281234567890" }));

    [TestMethod]
    public async Task HealthAnswersWithoutAToken()
    {
        var r = await http.GetAsync("/healthz");
        Assert.AreEqual(HttpStatusCode.OK, r.StatusCode);
    }

    [TestMethod]
    public async Task ProvisioningNeedsTheOperatorTokenAndNeverReturnsTheKey()
    {
        Assert.AreEqual(HttpStatusCode.Unauthorized, (await Provision("wrong-token-wrong-token")).StatusCode);
        Assert.AreEqual(HttpStatusCode.Unauthorized, (await http.GetAsync("/api/devices")).StatusCode);
        var created = await Provision(OperatorToken);
        Assert.AreEqual(HttpStatusCode.Created, created.StatusCode);
        string listing = await (await http.SendAsync(Request(HttpMethod.Get, "/api/devices", OperatorToken))).Content.ReadAsStringAsync();
        StringAssert.Contains(listing, "fob-0001");
        Assert.IsFalse(listing.Contains(Convert.ToHexString(Key), StringComparison.OrdinalIgnoreCase), "the key never comes back");
        Assert.IsFalse((await created.Content.ReadAsStringAsync()).Contains(Convert.ToHexString(Key), StringComparison.OrdinalIgnoreCase));
    }

    [TestMethod]
    public async Task BadProvisioningInputGetsOneClearSentence()
    {
        var r = await Provision(OperatorToken, "fob 1");
        Assert.AreEqual(HttpStatusCode.BadRequest, r.StatusCode);
        StringAssert.Contains(await r.Content.ReadAsStringAsync(), "id may only contain letters, digits");
        var k = await Provision(OperatorToken, key: "abcd");
        StringAssert.Contains(await k.Content.ReadAsStringAsync(), "key must be 64 hexadecimal");
    }

    [TestMethod]
    public async Task DataSmsFromTheGatewayIsVerifiedStoredOnceAndMarkedSms()
    {
        await Provision(OperatorToken);
        byte[] frame = FrameCodec.Encode(SampleFrames.Alert("fob-0001", 77), Key);
        var sms = new { from = "+6281234567890", text = FrameText.Encode(frame) };
        Assert.AreEqual(HttpStatusCode.Unauthorized, (await http.SendAsync(Request(HttpMethod.Post, "/api/sms/inbound", OperatorToken, sms))).StatusCode, "the operator token is not the gateway's");
        var first = await http.SendAsync(Request(HttpMethod.Post, "/api/sms/inbound", GatewayToken, sms));
        Assert.AreEqual(HttpStatusCode.OK, first.StatusCode);
        StringAssert.Contains(await first.Content.ReadAsStringAsync(), "\"stored\"");
        var again = await http.SendAsync(Request(HttpMethod.Post, "/api/sms/inbound", GatewayToken, sms));
        StringAssert.Contains(await again.Content.ReadAsStringAsync(), "\"duplicate\"");
        Assert.AreEqual("sms", app.Services.GetRequiredService<FrameStore>().PathOf("fob-0001", 77));
    }

    [TestMethod]
    public async Task GarbageAndForgedSmsAreRejectedWithAReason()
    {
        await Provision(OperatorToken);
        var garbage = await http.SendAsync(Request(HttpMethod.Post, "/api/sms/inbound", GatewayToken, new { from = "1", text = "PD1:@@@" }));
        Assert.AreEqual(HttpStatusCode.UnprocessableEntity, garbage.StatusCode);
        StringAssert.Contains(await garbage.Content.ReadAsStringAsync(), "BadText");
        byte[] forged = FrameCodec.Encode(SampleFrames.Alert("fob-0001", 5), SampleFrames.Key(0x99));
        var f = await http.SendAsync(Request(HttpMethod.Post, "/api/sms/inbound", GatewayToken, new { from = "1", text = FrameText.Encode(forged) }));
        StringAssert.Contains(await f.Content.ReadAsStringAsync(), "BadTag");
        var human = await http.SendAsync(Request(HttpMethod.Post, "/api/sms/inbound", GatewayToken, new { from = "1", text = "Saya aman, terima kasih" }));
        Assert.AreEqual(HttpStatusCode.Accepted, human.StatusCode);
        string metrics = await http.GetStringAsync("/metrics");
        StringAssert.Contains(metrics, "pd_ingest_total{outcome=\"rejected_BadTag\"} 1");
    }

    [TestMethod]
    public async Task OperatorAssignmentReachesTheDeviceAsASignedStatus()
    {
        await Provision(OperatorToken);
        var (device, statuses) = await ConnectDeviceAsync();
        await device.PublishBinaryAsync(Topics.Uplink("fob-0001"), FrameCodec.Encode(SampleFrames.Alert("fob-0001", 3), Key), MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.IsTrue(statuses.TryTake(out byte[]? ack, TimeSpan.FromSeconds(10)));
        Assert.AreEqual(MessageKind.Ack, FrameCodec.DecodeAndVerify(ack!, Key).Frame.Kind);

        string list = await (await http.SendAsync(Request(HttpMethod.Get, "/api/alerts", OperatorToken))).Content.ReadAsStringAsync();
        long id = System.Text.Json.JsonDocument.Parse(list).RootElement[0].GetProperty("id").GetInt64();
        // An operator taking the alert is its own status, not a second copy of the store's ack: the fob shows "an operator has it".
        var taken = await http.SendAsync(Request(HttpMethod.Post, "/api/alerts/" + id + "/acknowledge", OperatorToken, new { @operator = "dina" }));
        Assert.AreEqual(HttpStatusCode.OK, taken.StatusCode);
        Assert.IsTrue(statuses.TryTake(out byte[]? operatorHasIt, TimeSpan.FromSeconds(10)));
        DecodeResult o = FrameCodec.DecodeAndVerify(operatorHasIt!, Key);
        Assert.AreEqual(MessageKind.Status, o.Frame.Kind);
        Assert.AreEqual((byte)AlertStatus.OperatorAcknowledged, o.Frame.Code);
        var assign = await http.SendAsync(Request(HttpMethod.Post, "/api/alerts/" + id + "/assign", OperatorToken, new { responder = "Patrol 7", @operator = "dina" }));
        Assert.AreEqual(HttpStatusCode.OK, assign.StatusCode);
        Assert.IsTrue(statuses.TryTake(out byte[]? status, TimeSpan.FromSeconds(10)));
        DecodeResult r = FrameCodec.DecodeAndVerify(status!, Key);
        Assert.AreEqual(DecodeStatus.Ok, r.Status);
        Assert.AreEqual(MessageKind.Status, r.Frame.Kind);
        Assert.AreEqual((byte)AlertStatus.ResponderAssigned, r.Frame.Code);
        Assert.AreEqual(3u, r.Frame.Counter, "the status names the alert it is about");
        var bad = await http.SendAsync(Request(HttpMethod.Post, "/api/alerts/" + id + "/delete", OperatorToken, new { }));
        Assert.AreEqual(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [TestMethod]
    public async Task APressAgainJoinsTheIncidentAndTheOperatorsStatusGoesToThePressTheDeviceWaitsOn()
    {
        await Provision(OperatorToken);
        var (device, received) = await ConnectDeviceAsync();
        foreach (uint counter in new uint[] { 3, 4 })
        {
            await device.PublishBinaryAsync(Topics.Uplink("fob-0001"), FrameCodec.Encode(SampleFrames.Alert("fob-0001", counter), Key), MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce);
            Assert.IsTrue(received.TryTake(out byte[]? ack, TimeSpan.FromSeconds(10)));
            Assert.AreEqual(counter, FrameCodec.DecodeAndVerify(ack!, Key).Frame.Counter, "each press is stored and acknowledged");
        }
        var list = System.Text.Json.JsonDocument.Parse(await (await http.SendAsync(Request(HttpMethod.Get, "/api/alerts", OperatorToken))).Content.ReadAsStringAsync()).RootElement;
        Assert.AreEqual(1, list.GetArrayLength(), "one emergency");
        Assert.AreEqual(4, list[0].GetProperty("lastCounter").GetInt32());
        var taken = await http.SendAsync(Request(HttpMethod.Post, "/api/alerts/" + list[0].GetProperty("id").GetInt64() + "/acknowledge", OperatorToken, new { @operator = "dina" }));
        Assert.AreEqual(HttpStatusCode.OK, taken.StatusCode);
        Assert.IsTrue(received.TryTake(out byte[]? status, TimeSpan.FromSeconds(10)));
        DecodeResult s = FrameCodec.DecodeAndVerify(status!, Key);
        Assert.AreEqual(MessageKind.Status, s.Frame.Kind);
        Assert.AreEqual(4u, s.Frame.Counter, "the fob listens for its latest press: an operator has it");
    }

    // fob-0001 on the embedded broker, subscribed to its downlink: what the receiver sends it (acks, statuses), in order.
    private async Task<(MQTTnet.IMqttClient Device, System.Collections.Concurrent.BlockingCollection<byte[]> Received)> ConnectDeviceAsync()
    {
        var device = new MQTTnet.MqttClientFactory().CreateMqttClient();
        var received = new System.Collections.Concurrent.BlockingCollection<byte[]>();
        device.ApplicationMessageReceivedAsync += e =>
        {
            received.Add(System.Buffers.BuffersExtensions.ToArray(e.ApplicationMessage.Payload));
            return Task.CompletedTask;
        };
        await device.ConnectAsync(new MQTTnet.MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", brokerPort).WithClientId("fob-0001")
            .WithCredentials("fob-0001", DeviceCredentials.MqttPassword(Key)).WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V311).Build());
        await device.SubscribeAsync(Topics.Downlink("fob-0001"), MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce);
        return (device, received);
    }

    [TestMethod]
    public void BadOptionsStopStartupWithTheFix()
    {
        var e = Assert.ThrowsExactly<OptionsValidationException>(() => ReceiverApp.Build(new[] { "--mqtt-port", "70000", "--data", dir }));
        StringAssert.Contains(e.Message, "--mqtt-port must be");
    }
}
