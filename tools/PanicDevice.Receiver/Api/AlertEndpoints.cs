using PanicDevice.Core.Protocol;
using PanicDevice.Receiver.Mqtt;
using PanicDevice.Receiver.Registry;
using PanicDevice.Receiver.Storage;

namespace PanicDevice.Receiver.Api;

public sealed record AlertAction(string? Responder, string? Operator);

/// <summary>/api/alerts: the list, one alert with its timeline, and operator actions (pushed to the device, signed).</summary>
public static class AlertEndpoints
{
    private static readonly Dictionary<string, AlertStatus> DeviceStatusOf = new()
    {
        ["acknowledge"] = AlertStatus.Received,
        ["assign"] = AlertStatus.ResponderAssigned,
        ["resolve"] = AlertStatus.Resolved,
        ["false-alarm"] = AlertStatus.FalseAlarm,
    };

    public static void Map(RouteGroupBuilder group, AlertBook alerts, DeviceRegistry registry, IDeviceDownlink? broker)
    {
        group.MapGet("/", (int? limit) => alerts.Recent(Math.Clamp(limit ?? 100, 1, 1000)));
        group.MapGet("/{id:long}", (long id) => alerts.Find(id) is { } a ? Results.Ok(a) : Results.NotFound(new { error = "no alert " + id }));
        group.MapGet("/{id:long}/cap", (long id) =>
        {
            AlertView? a = alerts.Find(id);
            if (a == null)
            {
                return Results.NotFound(new { error = "no alert " + id });
            }
            var cap = Dispatch.CapFormatter.Format(a, "panicdevice.receiver", registry.Find(a.DeviceId)?.OwnerName ?? "");
            return Results.Text(cap.Declaration + "\n" + cap.Root, "application/cap+xml");
        });
        group.MapPost("/{id:long}/{action}", async (long id, string action, AlertAction? body) =>
        {
            if (!DeviceStatusOf.TryGetValue(action, out AlertStatus status))
            {
                return Results.BadRequest(new { error = "action must be acknowledge, assign, resolve or false-alarm" });
            }
            if (action == "assign" && string.IsNullOrWhiteSpace(body?.Responder))
            {
                return Results.BadRequest(new { error = "assign needs a responder" });
            }
            AlertView? updated = alerts.Act(id, action, body?.Responder, body?.Operator ?? "operator");
            if (updated == null)
            {
                return Results.NotFound(new { error = "no alert " + id });
            }
            DeviceRecord? device = registry.Find(updated.DeviceId);
            if (broker != null && device != null)
            {
                await broker.PublishToDeviceAsync(device.Id, StatusFrame(device, updated.Counter, status));
            }
            return Results.Ok(updated);
        });
    }

    /// <summary>The signed status update a device turns into feedback (responder on the way, resolved, …).</summary>
    public static byte[] StatusFrame(DeviceRecord device, uint alertCounter, AlertStatus status)
    {
        Frame f = Frame.Create(status == AlertStatus.Received ? MessageKind.Ack : MessageKind.Status, device.Id, alertCounter, (byte)status);
        f.TimeUtcSeconds = (uint)DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return FrameCodec.Encode(f, device.Key.Reveal());
    }
}
