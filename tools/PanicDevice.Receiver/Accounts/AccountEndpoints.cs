using System.Collections.Concurrent;
using PanicDevice.Receiver.Api;

namespace PanicDevice.Receiver.Accounts;

/// <summary>A login: an account's name and password.</summary>
internal sealed record LoginRequest(string? Name, string? Password);

/// <summary>An account to create (admins): its name, role and first password.</summary>
internal sealed record AccountRequest(string? Name, string? Role, string? Password);

/// <summary>A new password (admins).</summary>
internal sealed record PasswordRequest(string? Password);

/// <summary>
/// /api/login (public: it is how a person gets a token), /api/logout and /api/me (any session), /api/accounts (admins,
/// and the integrations' operator token, which makes the first admin). Five wrong passwords for one name within five
/// minutes shut that name out for the rest of them, whoever tries; nothing says whether the name exists.
/// </summary>
internal static class AccountEndpoints
{
    private const int FailuresAllowed = 5;
    private static readonly TimeSpan FailureWindow = TimeSpan.FromMinutes(5);

    public static void Map(WebApplication app, RouteGroupBuilder operatorApi, AccountBook accounts, TimeProvider time)
    {
        var failures = new ConcurrentDictionary<string, List<DateTimeOffset>>(StringComparer.OrdinalIgnoreCase);
        app.MapPost("/api/login", (LoginRequest request) =>
        {
            string name = request.Name?.Trim() ?? "";
            DateTimeOffset now = time.GetUtcNow();
            List<DateTimeOffset> recent = failures.GetOrAdd(name, _ => new List<DateTimeOffset>());
            lock (recent)
            {
                recent.RemoveAll(t => now - t > FailureWindow);
                if (recent.Count >= FailuresAllowed)
                {
                    return Results.Json(new { error = "too many wrong passwords for this name: try again in a few minutes, or ask an admin" }, statusCode: StatusCodes.Status429TooManyRequests);
                }
            }
            if (accounts.Login(name, request.Password) is { } session)
            {
                failures.TryRemove(name, out _);
                return Results.Ok(session);
            }
            lock (recent) recent.Add(now);
            if (failures.Count > 10_000) failures.Clear(); // random names must not grow it without bound
            return Results.Json(new { error = "wrong name or password" }, statusCode: StatusCodes.Status401Unauthorized);
        }).AllowAnonymous().WithSummary("An operator's session token (12 hours) for their name and password");

        operatorApi.MapPost("/logout", (HttpRequest request) =>
        {
            if (BearerToken.Presented(request) is { } token) accounts.Logout(token);
            return Results.Ok(new { loggedOut = true });
        });
        operatorApi.MapGet("/me", (System.Security.Claims.ClaimsPrincipal user) => new
        {
            name = user.Identity?.Name,
            role = Roles.All.LastOrDefault(user.IsInRole) ?? Roles.Operator,
            account = user.FindFirst(Roles.AccountClaim) != null,
        });

        var admin = operatorApi.MapGroup("/accounts").RequireAuthorization(TokenAuthentication.Admin);
        admin.MapGet("/", () => accounts.All());
        admin.MapPost("/", (AccountRequest request) => accounts.Create(request.Name, request.Role, request.Password) is { } problem
            ? (problem.EndsWith(" exists", StringComparison.Ordinal) ? Results.Conflict(new { error = problem }) : Results.BadRequest(new { error = problem }))
            : Results.Created("/api/accounts/" + request.Name!.Trim(), accounts.All().First(a => a.Name == request.Name.Trim())));
        admin.MapPut("/{name}/password", (string name, PasswordRequest request) => accounts.SetPassword(name, request.Password) is { } problem
            ? (problem.StartsWith("no account", StringComparison.Ordinal) ? Results.NotFound(new { error = problem }) : Results.BadRequest(new { error = problem }))
            : Results.Ok(new { name }));
        admin.MapPost("/{name}/disable", (string name) => accounts.SetDisabled(name, true) ? Results.Ok(new { name, disabled = true }) : Results.NotFound(new { error = "no account " + name }));
        admin.MapPost("/{name}/enable", (string name) => accounts.SetDisabled(name, false) ? Results.Ok(new { name, disabled = false }) : Results.NotFound(new { error = "no account " + name }));
    }
}
