using PanicDevice.Core.Protocol;
using PanicDevice.Receiver.Dispatch;
using PanicDevice.Receiver.Mqtt;
using PanicDevice.Receiver.Registry;
using PanicDevice.Receiver.Storage;

namespace PanicDevice.Receiver.Api;

internal sealed record AlertAction(string? Responder, string? Operator);

/// <summary>POST /api/alerts/{id}/forward: the target's route name (webhook:NAME, arc:NAME) and who asked.</summary>
internal sealed record AlertForward(string? Target, string? Operator);

/// <summary>One CAP message of an alert in GET /api/alerts/{id}/cap/messages: its number, CAP identity and the document itself.</summary>
internal sealed record CapMessageView(int Seq, string Identifier, string MsgType, string Sent, string Href, string Xml);

/// <summary>/api/alerts: the list, one alert with its timeline, its CAP messages, and operator actions (pushed to the device, signed).</summary>
internal static class AlertEndpoints
{
    private const string CapXml = "application/cap+xml";

    private static readonly Dictionary<string, AlertStatus> DeviceStatusOf = new()
    {
        // A person has the alert: distinct from the store's ack, so the fob can tell the wearer "someone knows".
        ["acknowledge"] = AlertStatus.OperatorAcknowledged,
        ["assign"] = AlertStatus.ResponderAssigned,
        ["resolve"] = AlertStatus.Resolved,
        ["false-alarm"] = AlertStatus.FalseAlarm,
    };

    public static void Map(RouteGroupBuilder group, AlertBook alerts, CapMessageLog capLog, CapFormatter cap, DeviceRegistry registry, IDeviceDownlink? broker)
    {
        // allOpen=true: every open alert too, however old; a dashboard reloading after a surge must not lose one past the limit.
        group.MapGet("/", (int? limit, bool? allOpen) => allOpen == true
            ? alerts.RecentAndOpen(Math.Clamp(limit ?? 100, 1, 1000))
            : alerts.Recent(Math.Clamp(limit ?? 100, 1, 1000)));
        group.MapGet("/{id:long}", (long id) => alerts.Find(id) is { } a ? Results.Ok(a) : Results.NotFound(new { error = "no alert " + id }));
        group.MapGet("/{id:long}/cap", (long id) =>
        {
            IReadOnlyList<CapMessageRecord> messages = capLog.For(id);
            return messages.Count == 0
                ? Results.NotFound(new { error = "no alert " + id })
                : Results.Text(CapFormatter.ToText(cap.Format(messages, messages.Count - 1)), CapXml);
        })
            .WithSummary("The alert's latest CAP 1.2 message: the current truth (Alert, Update or Cancel)")
            .Produces<string>(StatusCodes.Status200OK, CapXml).Produces(StatusCodes.Status404NotFound);
        group.MapGet("/{id:long}/cap/messages", (long id) =>
        {
            IReadOnlyList<CapMessageRecord> messages = capLog.For(id);
            return messages.Count == 0
                ? Results.NotFound(new { error = "no alert " + id })
                : Results.Ok(messages.Select((m, i) => new CapMessageView(m.Seq, CapFormatter.Identifier(m), CapFormatter.MsgType(m), CapFormatter.CapTime(m.SentUtc),
                    "/api/alerts/" + id + "/cap/messages/" + m.Seq, CapFormatter.ToText(cap.Format(messages, i)))));
        })
            .WithSummary("Every CAP 1.2 message of the alert, oldest first, each with its own identifier and sent")
            .Produces<CapMessageView[]>(StatusCodes.Status200OK, "application/json").Produces(StatusCodes.Status404NotFound);
        group.MapGet("/{id:long}/cap/messages/{seq:int}", (long id, int seq) =>
        {
            IReadOnlyList<CapMessageRecord> messages = capLog.For(id);
            int index = messages.ToList().FindIndex(m => m.Seq == seq);
            return index < 0
                ? Results.NotFound(new { error = "no CAP message " + seq + " of alert " + id })
                : Results.Text(CapFormatter.ToText(cap.Format(messages, index)), CapXml);
        })
            .WithSummary("One CAP 1.2 message of the alert, by its number in the alert's sequence (1 is the Alert)")
            .Produces<string>(StatusCodes.Status200OK, CapXml).Produces(StatusCodes.Status404NotFound);
        group.MapPost("/{id:long}/{action}", async (long id, string action, AlertAction? body, System.Security.Claims.ClaimsPrincipal user) =>
        {
            if (!DeviceStatusOf.TryGetValue(action, out AlertStatus status))
            {
                return Results.BadRequest(new { error = "action must be acknowledge, assign, resolve or false-alarm" });
            }
            if (action == "assign" && string.IsNullOrWhiteSpace(body?.Responder))
            {
                return Results.BadRequest(new { error = "assign needs a responder" });
            }
            AlertView? updated = alerts.Act(id, action, body?.Responder, Accounts.Roles.Actor(user, body?.Operator));
            if (updated == null)
            {
                return Results.NotFound(new { error = "no alert " + id });
            }
            DeviceRecord? device = registry.Find(updated.DeviceId);
            if (broker != null && device != null)
            {
                // To the press the device waits on: the incident's latest (a fob that pressed again listens for that one).
                await broker.PublishToDeviceAsync(device.Id, StatusFrame(device, updated.LastCounter ?? updated.Counter, status));
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
