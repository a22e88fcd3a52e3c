namespace PanicDevice.Receiver.Api;

/// <summary>Which of the receiver's two bearer tokens a route needs.</summary>
internal enum TokenRole
{
    /// <summary>Operators and integrations: devices, alerts, responders, dashboard, the OpenAPI document.</summary>
    Operator,
    /// <summary>The SMS gateway: /api/sms/inbound only.</summary>
    Gateway,
}

/// <summary>Endpoint metadata: this route needs that token.</summary>
internal sealed class RequiresToken(TokenRole role)
{
    public TokenRole Role { get; } = role;
}

/// <summary>
/// Checks the bearer token of a route marked with <see cref="RequiresToken"/> after routing and before the
/// endpoint runs, so before its body is bound: a caller without the token gets 401 whatever it sent
/// (a malformed or 25 MB body is never read), and a refused request that still has a body coming closes
/// its connection rather than have the server read the rest to keep it open.
/// </summary>
internal static class TokenGate
{
    public static TBuilder RequireToken<TBuilder>(this TBuilder builder, TokenRole role) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequiresToken(role));

    public static void UseTokenGate(this WebApplication app, ReceiverOptions options) => app.Use(async (context, next) =>
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<RequiresToken>() is not { } need)
        {
            await next(context);
            return;
        }
        string expected = need.Role == TokenRole.Operator ? options.OperatorToken! : options.GatewayToken!;
        if (BearerToken.Matches(context.Request, expected))
        {
            await next(context);
            return;
        }
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Bearer";
        bool bodyComing = context.Request.ContentLength > 0 || context.Request.Headers.TransferEncoding.Count > 0;
        if (bodyComing && HttpProtocol.IsHttp11(context.Request.Protocol))
        {
            context.Response.Headers.Connection = "close";
        }
        string role = need.Role == TokenRole.Operator ? "operator" : "gateway";
        await context.Response.WriteAsJsonAsync(new { error = role + " token required (Authorization: Bearer …)" });
    });
}
