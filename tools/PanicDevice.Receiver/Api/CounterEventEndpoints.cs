using PanicDevice.Receiver.Storage;

namespace PanicDevice.Receiver.Api;

/// <summary>
/// /api/counter-events: frames the store refused for their counter (a counter used by other bytes, or too old), with
/// their content, for operators. An operator acknowledges one after looking into it (a restarted device counter, or a
/// cloned key); one the device re-sent under a new counter is resolved by itself.
/// </summary>
internal static class CounterEventEndpoints
{
    public static void Map(RouteGroupBuilder group, CounterEventBook events)
    {
        group.MapGet("/", (int? limit) => events.Recent(Math.Clamp(limit ?? 100, 1, 1000)));
        group.MapGet("/{id:long}", (long id) => events.Find(id) is { } e ? Results.Ok(e) : Results.NotFound(new { error = "no counter event " + id }));
        group.MapPost("/{id:long}/acknowledge", (long id, AlertAction? body, System.Security.Claims.ClaimsPrincipal user) =>
            events.Acknowledge(id, Accounts.Roles.Actor(user, body?.Operator)) is { } e ? Results.Ok(e) : Results.NotFound(new { error = "no counter event " + id }));
    }
}
