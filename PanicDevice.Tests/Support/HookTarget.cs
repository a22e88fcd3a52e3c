using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace PanicDevice.Tests.Support;

/// <summary>One webhook POST as the target saw it.</summary>
public sealed record HookCall(long EventId, string Device, long Counter, string Body, string Signature);

/// <summary>
/// A real HTTP webhook target on loopback (<c>POST /hook</c>) that records every call it accepts; <see cref="Refuse"/>
/// returns a status code instead while it answers true.
/// </summary>
public sealed class HookTarget : IAsyncDisposable
{
    private readonly WebApplication app;

    private HookTarget(WebApplication app) => this.app = app;

    public ConcurrentQueue<HookCall> Accepted { get; } = new();

    /// <summary>While it returns a status code, calls are answered with it and not recorded.</summary>
    public Func<int?> Refuse { get; set; } = () => null;

    public string Url { get; private set; } = "";

    public static async Task<HookTarget> StartAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var target = new HookTarget(builder.Build());
        target.app.MapPost("/hook", async (HttpContext http) =>
        {
            string body = await new StreamReader(http.Request.Body).ReadToEndAsync();
            if (target.Refuse() is int status)
            {
                return Results.StatusCode(status);
            }
            var root = System.Text.Json.JsonDocument.Parse(body).RootElement;
            target.Accepted.Enqueue(new HookCall(long.Parse(http.Request.Headers["X-PanicDevice-Event"]!), root.GetProperty("device").GetString()!,
                root.GetProperty("counter").GetInt64(), body, http.Request.Headers["X-PanicDevice-Signature"].ToString()));
            return Results.Ok();
        });
        await target.app.StartAsync();
        target.Url = target.app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/hook";
        return target;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
