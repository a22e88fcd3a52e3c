using System.Net;
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
    private static readonly byte[] Key = SampleFrames.Key(0x50);
    private string dir = "";
    private WebApplication app = null!;
    private HttpClient http = null!;

    [TestInitialize]
    public async Task Start()
    {
        dir = Path.Combine(Path.GetTempPath(), "pd-http-" + Guid.NewGuid().ToString("N"));
        app = ReceiverApp.Build(new[] { "--urls", "http://127.0.0.1:0", "--mqtt-port", EmbeddedBrokerTests.FreePort().ToString(), "--data", dir,
            "--operator-token", OperatorToken, "--gateway-token", GatewayToken });
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
        StringAssert.Contains(await r.Content.ReadAsStringAsync(), "id must be");
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
    public void BadOptionsStopStartupWithTheFix()
    {
        var e = Assert.ThrowsExactly<OptionsValidationException>(() => ReceiverApp.Build(new[] { "--mqtt-port", "70000", "--data", dir }));
        StringAssert.Contains(e.Message, "--mqtt-port must be");
    }
}
