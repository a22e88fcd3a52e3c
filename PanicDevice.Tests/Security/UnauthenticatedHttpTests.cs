using System.Net;
using System.Net.Http.Headers;
using System.Text;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Security;

/// <summary>
/// The HTTP side of the unauthenticated surface: the token is checked before a body is read, every body
/// is bounded, the Authorization scheme is case-insensitive, and the OpenAPI document is not public.
/// </summary>
[TestClass]
public class UnauthenticatedHttpTests
{
    private const string GatewayToken = "gateway-token-for-http-tests-01";

    /// <summary>Every route that reads a request body, and the token it takes.</summary>
    private static readonly (string Method, string Path, string Token)[] BodyRoutes =
    {
        ("POST", "/api/devices", LoopbackReceiver.OperatorToken),
        ("POST", "/api/alerts/1/acknowledge", LoopbackReceiver.OperatorToken),
        ("POST", "/api/alerts/1/assign", LoopbackReceiver.OperatorToken),
        ("PUT", "/api/responders/unit-7", LoopbackReceiver.OperatorToken),
        ("POST", "/api/sms/inbound", GatewayToken),
    };

    private static Task<LoopbackReceiver> Start() => LoopbackReceiver.StartAsync("--gateway-token", GatewayToken);

    private static HttpRequestMessage Raw(string method, string path, string? authorization, string body)
    {
        var r = new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (authorization != null) r.Headers.TryAddWithoutValidation("Authorization", authorization);
        return r;
    }

    [TestMethod]
    public async Task WithoutTheRightTokenAMalformedBodyGets401NotA400()
    {
        await using var rx = await Start();
        foreach (var (method, path, token) in BodyRoutes)
        {
            string otherRole = token == GatewayToken ? LoopbackReceiver.OperatorToken : GatewayToken;
            foreach (string? authorization in new[] { null, "Bearer " + otherRole, "Bearer wrong-token-wrong-token", "Basic " + token })
            {
                var r = await rx.Http.SendAsync(Raw(method, path, authorization, "{\"id\": [ unterminated"));
                Assert.AreEqual(HttpStatusCode.Unauthorized, r.StatusCode, $"{method} {path} with {authorization ?? "no Authorization"}");
                Assert.AreEqual("Bearer", r.Headers.WwwAuthenticate.Single().Scheme, "401 says which scheme it wants");
            }
            var withToken = await rx.Http.SendAsync(Raw(method, path, "Bearer " + token, "{\"id\": [ unterminated"));
            Assert.AreEqual(HttpStatusCode.BadRequest, withToken.StatusCode, $"{method} {path}: with the token, the body is read and found malformed");
        }
    }

    [TestMethod]
    public async Task A25MegabyteBodyWithoutATokenGets401AfterItsHeadersAndTheConnectionIsClosed()
    {
        await using var rx = await Start();
        var url = new Uri(rx.Url);
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(url.Host, url.Port);
        var s = tcp.GetStream();
        long declared = 25L * 1024 * 1024;
        await s.WriteAsync(Encoding.ASCII.GetBytes($"POST /api/devices HTTP/1.1\r\nHost: {url.Authority}\r\nContent-Type: application/json\r\nContent-Length: {declared}\r\n\r\n{{\"id\":\""));
        await s.WriteAsync(new byte[64 * 1024]); // a little of it; the rest never comes
        var answer = new MemoryStream();
        byte[] buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        int n;
        while ((n = await s.ReadAsync(buffer, timeout.Token)) > 0)
        {
            answer.Write(buffer, 0, n);
        }
        string text = Encoding.ASCII.GetString(answer.ToArray());
        StringAssert.StartsWith(text, "HTTP/1.1 401", "refused on its headers, without waiting for 25 MB");
        StringAssert.Contains(text, "Connection: close");
        StringAssert.Contains(text, "operator token required");
    }

    [TestMethod]
    public async Task EveryBodyOverItsLimitGets413AndOneJustUnderIsJudgedOnItsContent()
    {
        await using var rx = await Start();
        foreach (var (method, path, token) in BodyRoutes)
        {
            long limit = path == "/api/sms/inbound" ? PanicDevice.Receiver.Api.SmsGatewayEndpoint.MaxBodyBytes : PanicDevice.Receiver.Api.RequestLimits.MaxJsonBodyBytes;
            string over = "{\"id\":\"" + new string('a', (int)limit) + "\"}";
            var r = await rx.Http.SendAsync(Raw(method, path, "Bearer " + token, over));
            Assert.AreEqual(HttpStatusCode.RequestEntityTooLarge, r.StatusCode, $"{method} {path} with {over.Length} bytes");
            string under = "{\"id\":\"" + new string('a', (int)limit - 20) + "\"}";
            var u = await rx.Http.SendAsync(Raw(method, path, "Bearer " + token, under));
            Assert.AreNotEqual(HttpStatusCode.RequestEntityTooLarge, u.StatusCode, $"{method} {path} with {under.Length} bytes");
        }
        // A route the table does not list is bounded too (the limit is the server's).
        var unknown = await rx.Http.SendAsync(Raw("POST", "/api/events/ticket", "Bearer " + LoopbackReceiver.OperatorToken, "{}"));
        Assert.AreEqual(HttpStatusCode.OK, unknown.StatusCode, "a small body on a route that ignores it");
    }

    [TestMethod]
    public async Task TheBearerSchemeIsCaseInsensitiveAndTheTokenIsNot()
    {
        await using var rx = await Start();
        foreach (string scheme in new[] { "Bearer", "bearer", "BEARER", "bEaReR" })
        {
            var r = await rx.Http.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/devices") { Headers = { { "Authorization", scheme + " " + LoopbackReceiver.OperatorToken } } });
            Assert.AreEqual(HttpStatusCode.OK, r.StatusCode, scheme + " on an operator route");
            var sms = await rx.Http.SendAsync(Raw("POST", "/api/sms/inbound", scheme + " " + GatewayToken, "{\"from\":\"+62\",\"text\":\"halo\"}"));
            Assert.AreEqual(HttpStatusCode.Accepted, sms.StatusCode, scheme + " on the gateway route");
        }
        foreach (string refused in new[] { "Bearer" + LoopbackReceiver.OperatorToken, "Bearer " + LoopbackReceiver.OperatorToken.ToUpperInvariant(), "Bearer", "bearer ", "Token " + LoopbackReceiver.OperatorToken })
        {
            var r = await rx.Http.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/devices") { Headers = { { "Authorization", refused } } });
            Assert.AreEqual(HttpStatusCode.Unauthorized, r.StatusCode, "'" + refused + "'");
        }
    }

    [TestMethod]
    public async Task TheOpenApiDocumentNeedsTheOperatorToken()
    {
        await using var rx = await Start();
        Assert.AreEqual(HttpStatusCode.Unauthorized, (await rx.Http.GetAsync("/openapi/v1.json")).StatusCode);
        var r = await rx.Http.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/openapi/v1.json") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", GatewayToken) } });
        Assert.AreEqual(HttpStatusCode.Unauthorized, r.StatusCode, "not with the gateway's token either");
        StringAssert.Contains(await rx.Api.GetStringAsync("/openapi/v1.json"), "\"openapi\"");
        Assert.AreEqual(HttpStatusCode.OK, (await rx.Http.GetAsync("/healthz")).StatusCode);
        Assert.AreEqual(HttpStatusCode.OK, (await rx.Http.GetAsync("/metrics")).StatusCode);
    }
}
