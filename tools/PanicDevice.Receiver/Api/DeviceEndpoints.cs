using PanicDevice.Core.Config;
using PanicDevice.Core.Protocol;
using PanicDevice.Receiver.Registry;

namespace PanicDevice.Receiver.Api;

/// <summary>Provisioning request: the key arrives once, as hex, and is never returned.</summary>
public sealed record ProvisionRequest(string Id, string Key, string Kind, string? OwnerName, string? OwnerPhone, string[]? Guardians,
    string? Address, double? Lat, double? Lon, int? HeartbeatIntervalS, bool? Verified);

/// <summary>A device as the API shows it: everything but the key.</summary>
public sealed record DeviceView(string Id, string Kind, string OwnerName, string OwnerPhone, bool Verified, bool Enabled, string[] Guardians, string Address, double? Lat, double? Lon, int HeartbeatIntervalS)
{
    public static DeviceView Of(DeviceRecord d) => new(d.Id, d.Kind == DeviceKind.Wall ? "wall" : "fob", d.OwnerName, d.OwnerPhone, d.Verified, d.Enabled, d.Guardians, d.Address,
        d.LatitudeE7 / 1e7, d.LongitudeE7 / 1e7, d.HeartbeatIntervalS);
}

/// <summary>/api/devices: provisioning and revocation, operator-only.</summary>
public static class DeviceEndpoints
{
    public static void Map(RouteGroupBuilder group, DeviceRegistry registry)
    {
        group.MapGet("/", () => registry.All().Select(DeviceView.Of));
        group.MapGet("/{id}", (string id) => registry.Find(id) is { } d ? Results.Ok(DeviceView.Of(d)) : Results.NotFound(new { error = "no device " + id }));
        group.MapPost("/", (ProvisionRequest request) =>
        {
            string? problem = Check(request, out byte[] key);
            if (problem != null)
            {
                return Results.BadRequest(new { error = problem });
            }
            var record = new DeviceRecord
            {
                Id = request.Id,
                Key = new DeviceKey(key),
                Kind = request.Kind == "wall" ? DeviceKind.Wall : DeviceKind.Fob,
                OwnerName = request.OwnerName ?? "",
                OwnerPhone = request.OwnerPhone ?? "",
                Guardians = request.Guardians ?? Array.Empty<string>(),
                Address = request.Address ?? "",
                LatitudeE7 = request.Lat is { } lat ? (int)Math.Round(lat * 1e7) : null,
                LongitudeE7 = request.Lon is { } lon ? (int)Math.Round(lon * 1e7) : null,
                HeartbeatIntervalS = request.HeartbeatIntervalS ?? 3600,
                Verified = request.Verified ?? false,
            };
            registry.Upsert(record);
            return Results.Created("/api/devices/" + record.Id, DeviceView.Of(record));
        });
        group.MapPost("/{id}/revoke", (string id) => registry.Revoke(id) ? Results.Ok(new { revoked = id }) : Results.NotFound(new { error = "no device " + id }));
    }

    private static string? Check(ProvisionRequest r, out byte[] key)
    {
        key = Array.Empty<byte>();
        if (string.IsNullOrEmpty(r.Id) || r.Id.Length > FrameCodec.MaxDeviceIdLength || r.Id.Any(c => c > 127 || !FrameCodec.IsDeviceIdChar((byte)c)))
        {
            return "id must be 1..32 characters from [A-Za-z0-9._-]";
        }
        if (r.Key is not { Length: 64 } || !r.Key.All(Uri.IsHexDigit))
        {
            return "key must be 64 hexadecimal characters";
        }
        key = Convert.FromHexString(r.Key);
        if (KeyStrength.Problem(key) is { } weak)
        {
            return weak + "; use a key from a random generator (panicctl provision makes one)"; // names the rule, never the key
        }
        if (r.Kind != "fob" && r.Kind != "wall")
        {
            return "kind must be \"fob\" or \"wall\"";
        }
        if (r.Kind == "wall" && (r.Lat == null || r.Lon == null))
        {
            return "a wall button needs lat and lon of its installed address";
        }
        if (r.Lat is < -90 or > 90 || r.Lon is < -180 or > 180)
        {
            return "lat must be within ±90 and lon within ±180";
        }
        return null;
    }
}
