using PanicDevice.Receiver.Storage;

namespace PanicDevice.Receiver.Guardians;

/// <summary>POST /api/guardian: the link's device, press and token (the token never travels in a URL).</summary>
internal sealed record GuardianPageRequest(string? Device, long? Counter, string? Token);

/// <summary>A position on the guardian's page: where, how sure, when.</summary>
internal sealed record GuardianPoint(double Lat, double Lon, int? AccuracyM, string? AtUtc);

/// <summary>
/// What a guardian sees: how far help has got and where the person was, nothing else (no names, no phone numbers, no
/// other alert, no notes). Stage: waiting (sent, not yet at the command centre), received, operator (a person has it),
/// responder (someone is on the way), closed.
/// </summary>
internal sealed record GuardianPageView(string Stage, string Kind, string? OpenedUtc, string? UpdatedUtc, GuardianPoint? Position,
    IReadOnlyList<GuardianPoint> Trail, string Language, string? ClosedAs);

/// <summary>
/// The guardians' live page (docs/guardian-page.md): GET /g/{device}/{counter} is the page, anonymous and data-free; it posts
/// the token from the link's fragment to POST /api/guardian and polls it every few seconds. Operators withdraw an alert's
/// links with POST /api/alerts/{id}/guardian-link/revoke.
/// </summary>
internal static class GuardianEndpoints
{
    private static readonly Dictionary<string, string> Files = new()
    {
        ["guardian.html"] = "text/html; charset=utf-8",
        ["guardian.js"] = "text/javascript; charset=utf-8",
        ["guardian.css"] = "text/css; charset=utf-8",
    };

    // No referrer: the page links to maps, and the path names the device.
    private const string Policy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; " +
        "form-action 'none'; frame-ancestors 'none'";

    public static void Map(WebApplication app, RouteGroupBuilder operatorApi, GuardianLinkBook links, GuardianPageLimiter limiter, AlertBook alerts,
        Registry.DeviceRegistry registry, string? publicUrl, TimeProvider time)
    {
        foreach (var (name, type) in Files)
        {
            byte[] body = Dashboard.DashboardEndpoints.Resource("Guardians", name);
            string route = name == "guardian.html" ? "/g/{device}/{counter}" : "/g/" + name;
            app.MapGet(route, (HttpContext http) =>
            {
                http.Response.Headers.CacheControl = "no-store";
                http.Response.Headers.ContentSecurityPolicy = Policy;
                http.Response.Headers.XContentTypeOptions = "nosniff";
                http.Response.Headers["Referrer-Policy"] = "no-referrer";
                http.Response.Headers["X-Robots-Tag"] = "noindex, nofollow";
                return Results.Bytes(body, type);
            }).AllowAnonymous();
        }

        app.MapPost("/api/guardian", (GuardianPageRequest request, HttpContext http) =>
        {
            http.Response.Headers.CacheControl = "no-store";
            string address = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
            if (!limiter.TryAcquire(address))
            {
                return Results.Json(new { error = "too many requests: wait a few minutes" }, statusCode: StatusCodes.Status429TooManyRequests);
            }
            if (request.Device is not { } device || request.Counter is not { } counter || counter is < 0 or > uint.MaxValue || request.Token is not { } token)
            {
                limiter.Failed(address);
                return Results.NotFound(new { error = "this link is not valid" });
            }
            var (outcome, alert, language) = links.Resolve(device, (uint)counter, token, time.GetUtcNow().UtcDateTime);
            switch (outcome)
            {
                case GuardianLinkOutcome.NotFound:
                    limiter.Failed(address);
                    return Results.NotFound(new { error = "this link is not valid" });
                case GuardianLinkOutcome.Expired:
                    return Results.Json(new { error = "expired", language }, statusCode: StatusCodes.Status410Gone);
                case GuardianLinkOutcome.Revoked:
                    return Results.Json(new { error = "withdrawn", language }, statusCode: StatusCodes.Status410Gone);
                case GuardianLinkOutcome.Waiting:
                    return Results.Ok(new GuardianPageView("waiting", "", null, null, null, Array.Empty<GuardianPoint>(), language, null));
            }
            return Results.Ok(View(alert!, language));
        }).AllowAnonymous().DisableAntiforgery();

        // The link of the alert's latest press, for an operator to send a guardian by hand (needs --public-url).
        operatorApi.MapGet("/alerts/{id:long}/guardian-link", (long id) =>
        {
            if (string.IsNullOrEmpty(publicUrl))
            {
                return Results.NotFound(new { error = "no guardian links: the receiver has no --public-url" });
            }
            if (alerts.Find(id) is not { } a || registry.Find(a.DeviceId) is not { } device)
            {
                return Results.NotFound(new { error = "no alert " + id });
            }
            byte[] key = device.Key.Reveal();
            try
            {
                return Results.Ok(new { url = PanicDevice.Core.Protocol.GuardianLink.Link(publicUrl, key, a.DeviceId, a.LastCounter ?? a.Counter) });
            }
            finally
            {
                System.Security.Cryptography.CryptographicOperations.ZeroMemory(key);
            }
        }).WithSummary("The guardians' live page of the alert's latest press");

        operatorApi.MapPost("/alerts/{id:long}/guardian-link/revoke", (long id, System.Security.Claims.ClaimsPrincipal user) =>
            links.Revoke(id, Accounts.Roles.Actor(user, null), time.GetUtcNow().UtcDateTime) && alerts.Find(id) is { } a
                ? Results.Ok(a)
                : Results.NotFound(new { error = "no alert " + id }))
            .WithSummary("Withdraws the guardians' live page of this alert; recorded in its timeline");
    }

    private static GuardianPageView View(AlertView a, string language)
    {
        string stage = a.State switch
        {
            AlertStates.New => "received",
            AlertStates.Acknowledged => "operator",
            AlertStates.Assigned => "responder",
            _ => "closed",
        };
        var trail = (a.Trail ?? Array.Empty<TrailPoint>()).Select(p => new GuardianPoint(p.Lat, p.Lon, p.AccuracyM, p.AtUtc)).ToList();
        // When the position was reported: its trail point's time (an operator's action changes the alert, not the fix).
        GuardianPoint? position = a.Lat is { } lat && a.Lon is { } lon ? new GuardianPoint(lat, lon, a.AccuracyM, trail.Count > 0 ? trail[^1].AtUtc : null) : null;
        return new GuardianPageView(stage, a.Kind, a.OpenedUtc, a.UpdatedUtc, position, trail, language, stage == "closed" ? a.State : null);
    }
}
