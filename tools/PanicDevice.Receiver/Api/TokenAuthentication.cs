using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace PanicDevice.Receiver.Api;

/// <summary>
/// Who may call what: each caller that presents a bearer token (operators, the SMS gateway) is an authentication
/// scheme of its own and a policy of the same name that accepts only that scheme. A route without a policy needs the
/// operator's (the fallback policy), so a route added and forgotten is closed; public routes say so with
/// <c>AllowAnonymous</c>. The operator console's accounts plug in as the operator scheme's token source.
/// </summary>
internal static class TokenAuthentication
{
    /// <summary>Scheme and policy: operators and integrations (devices, alerts, responders, dashboard data, OpenAPI).</summary>
    public const string Operator = "operator";

    /// <summary>Scheme and policy: the SMS gateway (/api/sms/inbound only).</summary>
    public const string Gateway = "gateway";

    /// <summary>Policy: supervisors and admins (and the integrations' operator token): the quality report.</summary>
    public const string Supervisor = "supervisor";

    /// <summary>Policy: admins (and the integrations' operator token): devices' keys and accounts.</summary>
    public const string Admin = "admin";

    public static void AddTokenAuthentication(this IServiceCollection services, ReceiverOptions options)
    {
        // No default scheme: a public route never looks at the Authorization header, and a token for one caller
        // is no credential at all on another's route (401, as for no token).
        services.AddAuthentication()
            .AddScheme<BearerTokenOptions, BearerTokenHandler>(Operator, o => { o.Token = options.OperatorToken!; o.AcceptsSessions = true; })
            .AddScheme<BearerTokenOptions, BearerTokenHandler>(Gateway, o => o.Token = options.GatewayToken!);
        services.AddAuthorizationBuilder()
            .AddPolicy(Operator, p => p.AddAuthenticationSchemes(Operator).RequireAuthenticatedUser())
            .AddPolicy(Gateway, p => p.AddAuthenticationSchemes(Gateway).RequireAuthenticatedUser())
            .AddPolicy(Supervisor, p => p.AddAuthenticationSchemes(Operator).RequireRole(Accounts.Roles.Supervisor, Accounts.Roles.Admin))
            .AddPolicy(Admin, p => p.AddAuthenticationSchemes(Operator).RequireRole(Accounts.Roles.Admin))
            .SetFallbackPolicy(new AuthorizationPolicyBuilder(Operator).RequireAuthenticatedUser().Build());
    }

    /// <summary>
    /// After routing and before the endpoint runs, so before its body is bound: a caller without the token gets 401
    /// whatever it sent (a malformed or 25 MB body is never read).
    /// </summary>
    public static void UseTokenAuthentication(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseAuthorization();
    }
}

internal sealed class BearerTokenOptions : AuthenticationSchemeOptions
{
    /// <summary>The secret this scheme accepts; never logged, never in a failure message.</summary>
    public string Token { get; set; } = "";

    /// <summary>Whether a person's session token (Accounts) is also accepted: the operator scheme's.</summary>
    public bool AcceptsSessions { get; set; }
}

/// <summary>"Authorization: Bearer …" checked in constant time against one scheme's token (<see cref="BearerToken.Matches"/>).</summary>
internal sealed class BearerTokenHandler(IOptionsMonitor<BearerTokenOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<BearerTokenOptions>(options, logger, encoder)
{
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (Request.Headers.Authorization.Count == 0)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }
        if (!string.IsNullOrEmpty(Options.Token) && BearerToken.Matches(Request, Options.Token))
        {
            // The integrations' operator token may do everything an admin may (it provisions devices and makes the first accounts).
            var claims = new List<Claim> { new(ClaimTypes.Name, Scheme.Name), new(ClaimTypes.Role, Scheme.Name) };
            if (Options.AcceptsSessions) claims.Add(new Claim(ClaimTypes.Role, Accounts.Roles.Admin));
            return Task.FromResult(Success(claims));
        }
        if (Options.AcceptsSessions && BearerToken.Presented(Request) is { } presented
            && Context.RequestServices.GetService<Accounts.AccountBook>()?.Find(presented) is { } account)
        {
            return Task.FromResult(Success(new[]
            {
                new Claim(ClaimTypes.Name, account.Name), new Claim(ClaimTypes.Role, account.Role), new Claim(Accounts.Roles.AccountClaim, account.Name),
            }));
        }
        // The scheme's name only: what was presented may be another caller's secret, and this text reaches the log.
        return Task.FromResult(AuthenticateResult.Fail("not the " + Scheme.Name + " token"));
    }

    private AuthenticateResult Success(IEnumerable<Claim> claims) =>
        AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme.Name)), Scheme.Name));

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        // A refused request with a body still coming closes its connection rather than have the server read the
        // rest (up to 25 MB) to keep it open.
        bool bodyComing = Request.ContentLength > 0 || Request.Headers.TransferEncoding.Count > 0;
        if (bodyComing && HttpProtocol.IsHttp11(Request.Protocol))
        {
            Response.Headers.Connection = "close";
        }
        await Response.WriteAsJsonAsync(new { error = Scheme.Name + " token required (Authorization: Bearer …)" });
    }
}
