using PanicDevice.Core.Config;
using PanicDevice.Core.Protocol;
using PanicDevice.Receiver.Registry;

namespace PanicDevice.Receiver.Api;

/// <summary>Provisioning request: the key arrives once, as hex, and is never returned.</summary>
/// <remarks>
/// Language: "en" (the default) or "id", as in the device's device.json; it sets the language of the alert's CAP messages.
/// Rekey: true to replace the key of an existing device (recorded, with Operator, as a device event); without it an
/// existing id is refused, and with it an unknown one is.
/// </remarks>
internal sealed record ProvisionRequest(string Id, string Key, string Kind, string? OwnerName, string? OwnerPhone, string[]? Guardians,
    string? Address, double? Lat, double? Lon, int? HeartbeatIntervalS, bool? Verified, string? Language = null, bool? Rekey = null, string? Operator = null,
    string? Notes = null);

/// <summary>PUT /api/devices/{id}/profile: who and where the device is for; the whole profile, as the dashboard's form sends it.</summary>
internal sealed record ProfileRequest(string? OwnerName, string? OwnerPhone, string[]? Guardians, string? Address, string? Notes, string? Language, string? Operator);

/// <summary>A device named in a request body (POST /api/devices/revoke).</summary>
internal sealed record DeviceRef(string? Id);

/// <summary>A device as the API shows it: everything but the key, and what it last told the receiver (null: never).</summary>
internal sealed record DeviceView(string Id, string Kind, string OwnerName, string OwnerPhone, bool Verified, bool Enabled, string[] Guardians, string Address, double? Lat, double? Lon, int HeartbeatIntervalS,
    string Language, string? LastSeenUtc = null, int? BatteryPercent = null, int? SignalDbm = null, string? LastPath = null, string Notes = "",
    bool? OnMains = null, bool? Tamper = null, bool? LowBattery = null)
{
    // What the device's last frame said of its power and enclosure (null: it never sent one; mains only for wall units).
    public static DeviceView Of(DeviceRecord d, DeviceActivity? a = null) => new(d.Id, d.Kind == DeviceKind.Wall ? "wall" : "fob", d.OwnerName, d.OwnerPhone, d.Verified, d.Enabled, d.Guardians, d.Address,
        d.LatitudeE7 / 1e7, d.LongitudeE7 / 1e7, d.HeartbeatIntervalS, d.Language, a?.LastSeenUtc, a?.BatteryPercent, a?.SignalDbm, a?.LastPath, d.Notes,
        a?.LastFlags is { } f && d.Kind == DeviceKind.Wall ? (f & FrameFlags.ExternalPower) != 0 : null,
        a?.LastFlags is { } t ? (t & FrameFlags.Tamper) != 0 : null,
        a?.LastFlags is { } b ? (b & FrameFlags.LowBattery) != 0 : null);
}

/// <summary>/api/devices: provisioning and revocation, operator-only.</summary>
internal static class DeviceEndpoints
{
    public static void Map(RouteGroupBuilder group, DeviceRegistry registry, DeviceEventBook events, TimeProvider clock, Action<DeviceEventView> published)
    {
        // ?id= and POST /revoke with the id in the body reach any stored id, also one of dots only (from before
        // DeviceIds refused it), which no URL path can carry: clients and servers resolve "." and ".." away.
        group.MapGet("/", (string? id) =>
        {
            var activity = registry.Activity(id);
            return (id == null ? registry.All() : registry.Find(id) is { } d ? new[] { d } : Array.Empty<DeviceRecord>())
                .Select(d => DeviceView.Of(d, activity.GetValueOrDefault(d.Id)));
        });
        group.MapGet("/{id}", (string id) => DeviceIds.Problem(id) is { } p ? BadId(p)
            : registry.Find(id) is { } d ? Results.Ok(DeviceView.Of(d, registry.Activity(id).GetValueOrDefault(id))) : Results.NotFound(new { error = "no device " + id }));
        group.MapPost("/", (ProvisionRequest request, System.Security.Claims.ClaimsPrincipal user) =>
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
                Language = request.Language ?? DeviceLanguage.English,
                Notes = request.Notes ?? "",
            };
            if (request.Rekey == true)
            {
                if (!registry.Rekey(record, Accounts.Roles.Actor(user, request.Operator), clock.GetUtcNow()))
                {
                    return Results.NotFound(new { error = "no device " + record.Id + " to re-key: provision it without rekey" });
                }
                published(events.Recent(1, record.Id)[0]);
                return Results.Ok(DeviceView.Of(record));
            }
            // The device that has this id would be refused from its next press on: replacing a key takes an explicit re-key.
            return registry.Add(record)
                ? Results.Created("/api/devices/" + record.Id, DeviceView.Of(record))
                : Results.Conflict(new
                {
                    error = "device " + record.Id + " exists; provisioning it again would replace the key of the device that has it, and its alerts " +
                            "would be refused until it is flashed again. To replace its key on purpose, re-key it (panicctl provision --rekey; API \"rekey\": true)",
                });
        }).RequireAuthorization(TokenAuthentication.Admin); // a key, and a device that may be silenced: admins only

        group.MapPut("/{id}/profile", (string id, ProfileRequest request, System.Security.Claims.ClaimsPrincipal user) =>
        {
            if (DeviceIds.Problem(id) is { } bad)
            {
                return BadId(bad);
            }
            var profile = new DeviceProfile((request.OwnerName ?? "").Trim(), (request.OwnerPhone ?? "").Trim(), request.Guardians ?? Array.Empty<string>(),
                (request.Address ?? "").Trim(), (request.Notes ?? "").Trim(), request.Language ?? DeviceLanguage.English);
            if (ProfileProblem(profile.OwnerName, profile.OwnerPhone, profile.Guardians, profile.Address, profile.Notes, request.Language) is { } problem)
            {
                return Results.BadRequest(new { error = problem });
            }
            if (!registry.UpdateProfile(id, profile, Accounts.Roles.Actor(user, request.Operator), clock.GetUtcNow()))
            {
                return Results.NotFound(new { error = "no device " + id });
            }
            published(events.Recent(1, id)[0]);
            return Results.Ok(DeviceView.Of(registry.Find(id)!, registry.Activity(id).GetValueOrDefault(id)));
        }).WithSummary("Replaces who and where the device is for (not its key); recorded as a device event naming the fields");

        group.MapPost("/{id}/revoke", (string id) => DeviceIds.Problem(id) is { } p ? BadId(p) : Revoke(registry, id)).RequireAuthorization(TokenAuthentication.Admin);
        group.MapPost("/revoke", (DeviceRef device) => Revoke(registry, device.Id)).RequireAuthorization(TokenAuthentication.Admin);
    }

    /// <summary>/api/device-events: the audit trail of re-keys, newest first (?id= for one device).</summary>
    public static void MapEvents(RouteGroupBuilder group, DeviceEventBook events) =>
        group.MapGet("/", (string? id, int? limit) => events.Recent(Math.Clamp(limit ?? 100, 1, 1000), id));

    private static IResult BadId(string problem) => Results.BadRequest(new { error = "id " + problem });

    private static IResult Revoke(DeviceRegistry registry, string? id) =>
        id != null && registry.Revoke(id) ? Results.Ok(new { revoked = id }) : Results.NotFound(new { error = "no device " + id });

    private static string? Check(ProvisionRequest r, out byte[] key)
    {
        key = Array.Empty<byte>();
        if (DeviceIds.Problem(r.Id) is { } idProblem)
        {
            return "id " + idProblem;
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
        return ProfileProblem(r.OwnerName, r.OwnerPhone, r.Guardians, r.Address, r.Notes, r.Language);
    }

    /// <summary>Notes may run to this many characters.</summary>
    public const int MaxNotes = 1000;

    // Who and where, alike for provisioning and for an operator's edit.
    private static string? ProfileProblem(string? ownerName, string? ownerPhone, string[]? guardians, string? address, string? notes, string? language)
    {
        if (language != null && !DeviceLanguage.IsKnown(language))
        {
            return "language must be \"en\" or \"id\"";
        }
        // The device's own rule (Core's PhoneNumbers): a number it would refuse in device.json is refused here too.
        // panicctl provision normalises what people type (0812-…) before it gets here.
        if (!string.IsNullOrEmpty(ownerPhone) && !PhoneNumbers.IsValid(ownerPhone))
        {
            return "ownerPhone must be a phone number: 3 to 20 digits with an optional leading + (E.164, e.g. +6281234567890)";
        }
        foreach (string g in guardians ?? Array.Empty<string>())
        {
            if (!PhoneNumbers.IsValid(g))
            {
                return "guardians must be phone numbers: 3 to 20 digits with an optional leading + (E.164, e.g. +6281200000001)";
            }
        }
        // People's text is printed in CAP (XML), the dashboard and SMS: one line, no control characters.
        foreach (var (field, value) in new[] { ("ownerName", ownerName), ("ownerPhone", ownerPhone), ("address", address) }
            .Concat((guardians ?? Array.Empty<string>()).Select(g => ("guardians", (string?)g))))
        {
            if (PlainText.HasControlCharacters(value))
            {
                return field + " contains a control character (a line break, tab or escape code): send it as one line of plain text";
            }
        }
        // Notes are for operators' eyes only (never CAP or SMS): lines are allowed, other control characters are not.
        if (notes != null && (notes.Length > MaxNotes || PlainText.HasControlCharacters(notes.Replace("\r\n", "\n").Replace('\n', ' '))))
        {
            return "notes are at most " + MaxNotes + " characters of text (line breaks allowed, no other control characters)";
        }
        return null;
    }
}
