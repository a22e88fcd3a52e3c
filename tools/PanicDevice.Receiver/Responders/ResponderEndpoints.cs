using PanicDevice.Receiver.Storage;

namespace PanicDevice.Receiver.Responders;

/// <summary>/api/responders (positions in) and /api/alerts/{id}/nearest (suggestions out); operator token.</summary>
internal static class ResponderEndpoints
{
    public static void Map(RouteGroupBuilder api, ResponderBook responders, AlertBook alerts)
    {
        api.MapGet("/responders", () => responders.All());
        api.MapPut("/responders/{id}", (string id, ResponderReport report) =>
            ResponderBook.Validate(id, report) is { } problem
                ? Results.BadRequest(new { error = problem })
                : Results.Ok(responders.Report(id, report)));
        api.MapGet("/alerts/{id:long}/nearest", (long id, int? limit) =>
        {
            if (alerts.Find(id) is not { } alert)
                return Results.NotFound(new { error = "no alert " + id });
            if (alert.Lat is not { } lat || alert.Lon is not { } lon)
                // Still an alert to act on: the operator dispatches by address or phone instead of by distance.
                return Results.Ok(new { alertId = id, positionKnown = false, suggestions = Array.Empty<ResponderSuggestion>() });
            return Results.Ok(new { alertId = id, positionKnown = true, suggestions = responders.Nearest(lat, lon, Math.Clamp(limit ?? 3, 1, 20)) });
        });
    }
}
