using PanicDevice.Bench.Engines;
using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Protocol;
using PanicDevice.Core.Protocol;
using PanicDevice.Receiver;
using PanicDevice.Tests.Receiver;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Security;

/// <summary>
/// The whole receiver over real HTTP and MQTT: roles do not cross, bodies are bounded, and no secret
/// (device key, MQTT password, operator or gateway token) shows in any log line or API answer.
/// </summary>
[TestClass]
public class ReceiverSecretsTests
{
    private const string OperatorToken = "operator-token-secret-7f3a9c21";
    private const string GatewayToken = "gateway-token-secret-52be0d84";
    private static readonly byte[] KeyA = SampleFrames.RandomKey(0xA0);
    private static readonly byte[] KeyB = SampleFrames.RandomKey(0xC5);
    private static readonly byte[] ArcKey = SampleFrames.RandomKey(0x3E); // an ARC account's AES-256 key
    private string dir = "";
    private int mqttPort;
    private WebApplication app = null!;
    private HttpClient http = null!;
    private readonly CapturingLoggerProvider logs = new();
    private readonly ConcurrentQueue<string> answers = new();

    [TestInitialize]
    public async Task Start()
    {
        dir = Path.Combine(Path.GetTempPath(), "pd-secrets-" + Guid.NewGuid().ToString("N"));
        mqttPort = LoopbackPorts.Free();
        app = ReceiverApp.Build(new[] { "--urls", "http://127.0.0.1:0", "--mqtt-port", mqttPort.ToString(), "--data", dir,
            "--operator-token", OperatorToken, "--gateway-token", GatewayToken,
            // An ARC that is down: its account key must not surface in the failures it causes.
            "--Receiver:Arcs:0:Name", "central", "--Receiver:Arcs:0:Host", "127.0.0.1", "--Receiver:Arcs:0:Port", LoopbackPorts.Free().ToString(),
            "--Receiver:Arcs:0:Accounts:0:Account", "1234", "--Receiver:Arcs:0:Accounts:0:Key", Convert.ToHexString(ArcKey), "--Receiver:Arcs:0:Accounts:0:Zones:fob-a", "1",
            // Everything, down to Trace, goes to the capturing provider; nothing to the console.
            "--Logging:LogLevel:Default", "Trace", "--Logging:Console:LogLevel:Default", "None" });
        app.Services.GetRequiredService<ILoggerFactory>().AddProvider(logs);
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

    private async Task<HttpResponseMessage> Send(HttpMethod method, string path, string? token, object? body = null)
    {
        var r = new HttpRequestMessage(method, path);
        if (token != null) r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body != null) r.Content = JsonContent.Create(body);
        var response = await http.SendAsync(r);
        answers.Enqueue(path + " " + (int)response.StatusCode + " " + string.Join(";", response.Headers.Select(h => h.Key + "=" + string.Join(",", h.Value))) + " " + await response.Content.ReadAsStringAsync());
        return response;
    }

    private static readonly (string Method, string Path)[] OperatorEndpoints =
    {
        ("GET", "/api/devices"), ("POST", "/api/devices"), ("GET", "/api/devices/fob-a"), ("POST", "/api/devices/fob-a/revoke"), ("POST", "/api/devices/revoke"),
        ("GET", "/api/alerts"), ("GET", "/api/alerts/1"), ("GET", "/api/alerts/1/cap"), ("GET", "/api/alerts/1/cap/messages"), ("GET", "/api/alerts/1/cap/messages/1"), ("POST", "/api/alerts/1/acknowledge"),
        ("GET", "/api/webhooks"), ("GET", "/api/dispatch"), ("GET", "/api/supervision"), ("GET", "/api/responders"), ("GET", "/api/dashboard"), ("POST", "/api/events/ticket"),
        ("GET", "/api/counter-events"), ("GET", "/api/counter-events/1"), ("POST", "/api/counter-events/1/acknowledge"),
    };

    [TestMethod]
    public async Task TheGatewayTokenOpensNoOperatorEndpointAndNoTokenOpensNone()
    {
        await Send(HttpMethod.Post, "/api/devices", OperatorToken, new { id = "fob-a", key = Convert.ToHexString(KeyA), kind = "fob" });
        foreach (var (method, path) in OperatorEndpoints)
        {
            object? body = method == "POST" ? new { id = "fob-z", key = Convert.ToHexString(KeyB), kind = "fob" } : null;
            foreach (string? token in new[] { GatewayToken, null, "Bearer " + OperatorToken, OperatorToken.ToUpperInvariant(), OperatorToken[..^1] })
            {
                var r = await Send(new HttpMethod(method), path, token, body);
                Assert.AreEqual(HttpStatusCode.Unauthorized, r.StatusCode, $"{method} {path} with {(token == GatewayToken ? "the gateway token" : token == null ? "no token" : "a near-miss token")}");
            }
        }
        Assert.IsTrue((await Send(HttpMethod.Get, "/api/devices/fob-a", OperatorToken)).IsSuccessStatusCode, "and the operator token does open them");
        Assert.IsNotNull(app.Services.GetRequiredService<PanicDevice.Receiver.Registry.DeviceRegistry>().Find("fob-a"), "nothing revoked by the refused calls");
        Assert.IsTrue(app.Services.GetRequiredService<PanicDevice.Receiver.Registry.DeviceRegistry>().Find("fob-a")!.Enabled);
        Assert.IsNull(app.Services.GetRequiredService<PanicDevice.Receiver.Registry.DeviceRegistry>().Find("fob-z"), "nothing provisioned by the refused calls");
    }

    [TestMethod]
    public async Task AnOversizedSmsBodyIsRefusedWith413WithTheGatewayTokenAnd401WithoutIt()
    {
        string huge = JsonSerializer.Serialize(new { from = "+62", text = "PD1:" + new string('A', 64 * 1024) });
        foreach (var (token, expected) in new[] { (GatewayToken, HttpStatusCode.RequestEntityTooLarge), ((string?)null, HttpStatusCode.Unauthorized) })
        {
            var r = new HttpRequestMessage(HttpMethod.Post, "/api/sms/inbound") { Content = new StringContent(huge, Encoding.UTF8, "application/json") };
            if (token != null) r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            // Without the token the body is never read (the caller may see the 401 or, still sending, the connection close).
            try
            {
                Assert.AreEqual(expected, (await http.SendAsync(r)).StatusCode);
            }
            catch (HttpRequestException) when (token == null)
            {
            }
        }
        // Just under the limit is read and judged on its content.
        string under = JsonSerializer.Serialize(new { from = "+62", text = "PD1:" + new string('A', 8 * 1024) });
        var ok = new HttpRequestMessage(HttpMethod.Post, "/api/sms/inbound") { Content = new StringContent(under, Encoding.UTF8, "application/json") };
        ok.Headers.Authorization = new AuthenticationHeaderValue("Bearer", GatewayToken);
        Assert.AreEqual(HttpStatusCode.BadRequest, (await http.SendAsync(ok)).StatusCode, "longer than a concatenated SMS");
        Assert.IsTrue((await http.GetAsync("/healthz")).IsSuccessStatusCode);
    }

    [TestMethod]
    public async Task NoKeyPasswordOrTokenAppearsInAnyLogLineOrApiAnswer()
    {
        // Provisioning through the API: one key in upper-case hex, one in lower-case.
        Assert.AreEqual(HttpStatusCode.Created, (await Send(HttpMethod.Post, "/api/devices", OperatorToken, new { id = "fob-a", key = Convert.ToHexString(KeyA), kind = "fob", ownerName = "Siti" })).StatusCode);
        Assert.AreEqual(HttpStatusCode.Created, (await Send(HttpMethod.Post, "/api/devices", OperatorToken, new { id = "fob-b", key = Convert.ToHexString(KeyB).ToLowerInvariant(), kind = "fob" })).StatusCode);
        await Send(HttpMethod.Post, "/api/devices", OperatorToken, new { id = "fob-c", key = Convert.ToHexString(KeyA)[..40], kind = "fob" }); // bad key: the error must not echo it

        // MQTT: wrong passwords (another device's, a key typed as a password, a token), then a real session.
        foreach (var (user, password) in new[] { ("fob-a", DeviceCredentials.MqttPassword(KeyB)), ("fob-a", Convert.ToHexString(KeyA)), ("operator", GatewayToken), ("fob-b", OperatorToken) })
        {
            Assert.IsFalse(await MqttConnect.LogsInAsync(mqttPort, user, user, password), "login as " + user);
        }
        using IMqttClient a = await MqttConnect.DeviceAsync(mqttPort, "fob-a", KeyA);
        var acks = new MqttConnect.AckCollector(a, KeyA);
        await a.SubscribeAsync(Topics.Downlink("fob-a"), MqttQualityOfServiceLevel.AtLeastOnce);
        byte[] alert = FrameCodec.Encode(SampleFrames.Alert("fob-a", 50), KeyA);
        await a.PublishBinaryAsync(Topics.Uplink("fob-a"), alert, MqttQualityOfServiceLevel.AtLeastOnce);
        await acks.WaitForAsync(50, TimeSpan.FromSeconds(5));
        await a.PublishBinaryAsync(Topics.Uplink("fob-a"), alert, MqttQualityOfServiceLevel.AtLeastOnce); // duplicate
        await a.PublishBinaryAsync(Topics.Uplink("fob-a"), FrameCodec.Encode(SampleFrames.Alert("fob-a", 51), KeyB), MqttQualityOfServiceLevel.AtLeastOnce); // forged
        await a.PublishBinaryAsync(Topics.Uplink("fob-b"), FrameCodec.Encode(SampleFrames.Alert("fob-b", 52), KeyB), MqttQualityOfServiceLevel.AtLeastOnce); // another's topic
        for (uint c = 100; c < 130; c++) await a.PublishBinaryAsync(Topics.Uplink("fob-a"), FrameCodec.Encode(DeviceRateLimitTests.Routine(MessageKind.Heartbeat, "fob-a", c), KeyA), MqttQualityOfServiceLevel.AtLeastOnce); // over the limit
        await a.PublishBinaryAsync(Topics.Uplink("fob-a"), FrameCodec.Encode(SampleFrames.Alert("fob-a", 1), KeyA), MqttQualityOfServiceLevel.AtLeastOnce); // replay (old counter)
        await a.PublishBinaryAsync(Topics.Uplink("fob-a"), FrameCodec.Encode(SampleFrames.Alert("fob-a", 131), KeyA), MqttQualityOfServiceLevel.AtLeastOnce);
        await acks.WaitForAsync(131, TimeSpan.FromSeconds(5));

        // SMS: valid, forged, replayed.
        byte[] smsFrame = FrameCodec.Encode(SampleFrames.Alert("fob-b", 7), KeyB);
        await Send(HttpMethod.Post, "/api/sms/inbound", GatewayToken, new { from = "+6281", text = FrameText.Encode(smsFrame) });
        await Send(HttpMethod.Post, "/api/sms/inbound", GatewayToken, new { from = "+6281", text = FrameText.Encode(FrameCodec.Encode(SampleFrames.Alert("fob-b", 8), KeyA)) });
        await Send(HttpMethod.Post, "/api/sms/inbound", GatewayToken, new { from = "+6281", text = FrameText.Encode(smsFrame) });

        // Tokens refused by the authentication handler: each caller's token on the other's route, and near misses.
        foreach (var (path, token) in new[] { ("/api/devices", GatewayToken), ("/api/sms/inbound", OperatorToken), ("/api/devices", OperatorToken[..^1]), ("/api/sms/inbound", GatewayToken + "x") })
        {
            var refused = await Send(path.EndsWith("inbound") ? HttpMethod.Post : HttpMethod.Get, path, token, path.EndsWith("inbound") ? new { from = "+6281", text = "x" } : null);
            Assert.AreEqual(HttpStatusCode.Unauthorized, refused.StatusCode, path);
        }

        // Operator actions, the dashboard ticket and stream, and every read-only answer.
        var list = await Send(HttpMethod.Get, "/api/alerts", OperatorToken);
        long alertId = JsonDocument.Parse(await list.Content.ReadAsStringAsync()).RootElement.EnumerateArray().First().GetProperty("id").GetInt64();
        await Send(HttpMethod.Post, $"/api/alerts/{alertId}/acknowledge", OperatorToken, new { @operator = "Dewi" });
        await Send(HttpMethod.Post, $"/api/alerts/{alertId}/assign", OperatorToken, new { responder = "Unit 7", @operator = "Dewi" });
        await Send(HttpMethod.Get, $"/api/alerts/{alertId}/cap", OperatorToken);
        await Send(HttpMethod.Post, "/api/devices/fob-b/revoke", OperatorToken);
        foreach (string path in new[] { "/api/devices", "/api/devices/fob-a", "/api/devices/fob-b", "/api/supervision", "/api/webhooks", "/api/dispatch", "/api/dashboard", "/api/responders" })
        {
            await Send(HttpMethod.Get, path, OperatorToken);
        }
        var ticket = await Send(HttpMethod.Post, "/api/events/ticket", OperatorToken);
        string t = JsonDocument.Parse(await ticket.Content.ReadAsStringAsync()).RootElement.GetProperty("ticket").GetString()!;
        using (var stream = await http.GetAsync("/api/events?ticket=" + Uri.EscapeDataString(t), HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.AreEqual(HttpStatusCode.OK, stream.StatusCode);
        }
        foreach (string path in new[] { "/metrics", "/healthz", "/openapi/v1.json", "/" })
        {
            var r = await http.GetAsync(path);
            answers.Enqueue(path + " " + await r.Content.ReadAsStringAsync());
        }
        // Every kind of line this test provokes has landed (the broker and the rejection log write from other threads).
        string[] expected = { "MQTT login refused", "rejected: BadTag", "over its rate limit", "was not authenticated. Failure message: not the operator token",
            "was not authenticated. Failure message: not the gateway token" };
        foreach (string e in expected)
        {
            await Eventually.WaitFor(() => logs.Lines.Any(l => l.Contains(e, StringComparison.Ordinal)), TimeSpan.FromSeconds(10), "a log line with '" + e + "'");
        }

        var secrets = new List<(string What, string Value)>();
        foreach (var (name, key) in new[] { ("fob-a key", KeyA), ("fob-b key", KeyB) })
        {
            secrets.Add((name + " hex", Convert.ToHexString(key)));
            secrets.Add((name + " base64", Convert.ToBase64String(key)));
            secrets.Add((name + " base64url", Convert.ToBase64String(key).TrimEnd('=').Replace('+', '-').Replace('/', '_')));
            secrets.Add((name + " hex prefix", Convert.ToHexString(key)[..16])); // even part of a key
            secrets.Add((name + " MQTT password", DeviceCredentials.MqttPassword(key)));
        }
        secrets.Add(("ARC account key hex", Convert.ToHexString(ArcKey)));
        secrets.Add(("ARC account key hex prefix", Convert.ToHexString(ArcKey)[..16]));
        secrets.Add(("operator token", OperatorToken));
        secrets.Add(("gateway token", GatewayToken));

        string[] lines = logs.Lines.ToArray();
        Assert.IsGreaterThan(50, lines.Length, "the capture really saw the receiver's logging");
        Assert.IsTrue(lines.Any(l => l.Contains("MQTT login refused", StringComparison.Ordinal)), "bad logins were logged");
        Assert.IsTrue(lines.Any(l => l.Contains("rejected: BadTag", StringComparison.Ordinal)), "forged frames were logged");
        Assert.IsTrue(lines.Any(l => l.Contains("over its rate limit", StringComparison.Ordinal)), "the rate limit was logged");
        Assert.AreEqual(1, lines.Count(l => l.Contains("over its rate limit", StringComparison.Ordinal)), "once, not per frame");
        string[] answered = answers.ToArray();
        Assert.IsGreaterThan(15, answered.Length);
        Assert.IsTrue(answered.Any(a => a.StartsWith("/api/dispatch 200", StringComparison.Ordinal) && a.Contains("arc:central", StringComparison.Ordinal)), "the ARC is listed");
        foreach (var (what, value) in secrets)
        {
            foreach (string line in lines)
            {
                Assert.IsFalse(line.Contains(value, StringComparison.OrdinalIgnoreCase), $"{what} in a log line: {line}");
            }
            foreach (string answer in answered)
            {
                Assert.IsFalse(answer.Contains(value, StringComparison.OrdinalIgnoreCase), $"{what} in an API answer: {answer[..Math.Min(200, answer.Length)]}");
            }
        }
    }
}

/// <summary>Keeps every formatted log line (with its exception) from every category.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Capture(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Capture(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var sb = new StringBuilder().Append(logLevel).Append(' ').Append(category).Append(": ").Append(formatter(state, exception));
            if (state is IEnumerable<KeyValuePair<string, object?>> pairs)
            {
                foreach (var kv in pairs) sb.Append(" |").Append(kv.Key).Append('=').Append(kv.Value);
            }
            if (exception != null) sb.Append(' ').Append(exception);
            owner.Lines.Enqueue(sb.ToString());
        }
    }
}
