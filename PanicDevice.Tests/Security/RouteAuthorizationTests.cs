using System.Net;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using PanicDevice.Receiver.Api;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Security;

/// <summary>
/// Which routes are public is decided in one place and closed by default: every route the receiver maps is either on
/// the short public list below or needs a token (the operator's unless it names the gateway's), a route nobody marked
/// needs the operator token, and a public route never looks at the Authorization header.
/// </summary>
[TestClass]
public class RouteAuthorizationTests
{
    private const string GatewayToken = "gateway-token-for-route-tests-1";

    /// <summary>Public on purpose: liveness, counters, the dashboard's page (it asks for the token), its ticketed stream, and the login that gives a person a token.</summary>
    private static readonly string[] Public = { "GET /", "GET /app.css", "GET /app.js", "GET /i18n.js", "GET /map.js", "GET /alarm.js", "GET /healthz", "GET /metrics", "GET /api/events", "POST /api/login",
        // The guardians' page (docs/guardian-page.md): the same empty page for every link, and its API, which needs the link's token.
        "GET /g/{device}/{counter}", "GET /g/guardian.js", "GET /g/guardian.css", "POST /api/guardian" };

    /// <summary>Routes for admins: device keys and revocation, accounts (AccountTests checks them live).</summary>
    private static readonly string[] Admin = { "POST /api/devices/", "POST /api/devices/{id}/revoke", "POST /api/devices/revoke" };

    /// <summary>Routes for supervisors (and admins): the quality report.</summary>
    private static readonly string[] Supervisor = { "GET /api/quality", "GET /api/quality.csv" };

    private static string Name(RouteEndpoint e) =>
        string.Join(",", e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? new[] { "*" }) + " " + ("/" + e.RoutePattern.RawText?.TrimStart('/'));

    [TestMethod]
    public async Task EveryRouteIsOnThePublicListOrNeedsAToken()
    {
        await using var rx = await LoopbackReceiver.StartAsync("--gateway-token", GatewayToken);
        var routes = ((IEndpointRouteBuilder)rx.App).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>().ToList();
        Assert.IsGreaterThan(30, routes.Count, "the inventory really saw the receiver's routes");
        var open = routes.Where(e => e.Metadata.GetMetadata<IAllowAnonymous>() != null).Select(Name).OrderBy(n => n, StringComparer.Ordinal).ToArray();
        CollectionAssert.AreEqual(Public.OrderBy(n => n, StringComparer.Ordinal).ToArray(), open, "public routes: " + string.Join(" | ", open));
        foreach (RouteEndpoint e in routes.Where(e => e.Metadata.GetMetadata<IAllowAnonymous>() == null))
        {
            string[] policies = e.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy ?? "(default)").Distinct().ToArray();
            string expected = Name(e) == "POST /api/sms/inbound" ? TokenAuthentication.Gateway : TokenAuthentication.Operator;
            // Some operator routes also need a role (a person's account, or the integrations' token).
            string? role = Admin.Contains(Name(e)) || Name(e).StartsWith("GET /api/accounts", StringComparison.Ordinal) || Name(e).Contains(" /api/accounts/", StringComparison.Ordinal)
                || Name(e) == "POST /api/accounts/" ? TokenAuthentication.Admin
                : Supervisor.Contains(Name(e)) ? TokenAuthentication.Supervisor : null;
            string[] wanted = role == null ? new[] { expected } : new[] { expected, role };
            // A route with no policy of its own gets the fallback (the operator's), tested live below.
            Assert.IsTrue(policies.Length == 0 && role == null && expected == TokenAuthentication.Operator || policies.SequenceEqual(wanted),
                Name(e) + " needs " + string.Join(",", wanted) + ", has " + string.Join(",", policies));
        }
        Assert.IsTrue(routes.Any(e => Name(e) == "POST /api/sms/inbound"), "the gateway route is in the inventory");
    }

    [TestMethod]
    public async Task ARouteNobodyMarkedNeedsTheOperatorTokenAndAnUnknownPathSaysNothingWithoutIt()
    {
        await using var rx = await LoopbackReceiver.StartAsync(null, app => app.MapGet("/forgotten", () => "inside"), "--gateway-token", GatewayToken);
        Assert.AreEqual(HttpStatusCode.Unauthorized, (await rx.Http.GetAsync("/forgotten")).StatusCode, "no token");
        Assert.AreEqual(HttpStatusCode.Unauthorized, (await rx.Http.SendAsync(rx.Request(HttpMethod.Get, "/forgotten", GatewayToken))).StatusCode, "the gateway's token");
        var ok = await rx.Api.GetAsync("/forgotten");
        Assert.AreEqual(HttpStatusCode.OK, ok.StatusCode);
        Assert.AreEqual("inside", await ok.Content.ReadAsStringAsync());
        // Whether a path exists is not told to a caller without the token.
        Assert.AreEqual(HttpStatusCode.Unauthorized, (await rx.Http.GetAsync("/api/no-such-thing")).StatusCode);
        Assert.AreEqual(HttpStatusCode.NotFound, (await rx.Api.GetAsync("/api/no-such-thing")).StatusCode);
    }

    [TestMethod]
    public async Task APublicRouteIgnoresAnyAuthorizationHeaderAndARefusalNeverEchoesWhatWasPresented()
    {
        await using var rx = await LoopbackReceiver.StartAsync("--gateway-token", GatewayToken);
        foreach (string header in new[] { "Bearer wrong-token-wrong-token", "Basic Zm9vOmJhcg==", "Bearer", "garbage !@#" })
        {
            foreach (string path in new[] { "/healthz", "/metrics", "/" })
            {
                var r = new HttpRequestMessage(HttpMethod.Get, path);
                r.Headers.TryAddWithoutValidation("Authorization", header);
                Assert.AreEqual(HttpStatusCode.OK, (await rx.Http.SendAsync(r)).StatusCode, path + " with " + header);
            }
        }
        // The gateway's token presented on an operator route: refused, and the answer does not carry it.
        var refused = await rx.Http.SendAsync(rx.Request(HttpMethod.Get, "/api/devices", GatewayToken));
        Assert.AreEqual(HttpStatusCode.Unauthorized, refused.StatusCode);
        string body = await refused.Content.ReadAsStringAsync();
        StringAssert.Contains(body, "operator token required");
        Assert.IsFalse(body.Contains(GatewayToken, StringComparison.Ordinal) || refused.Headers.ToString().Contains(GatewayToken, StringComparison.Ordinal));
    }
}
