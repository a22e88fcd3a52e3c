using System.Text.Json;
using PanicDevice.Core.Protocol;

namespace PanicDevice.Cli;

/// <summary>`devices list` and `devices revoke`.</summary>
public static class DevicesCommands
{
    public static async Task<int> ListAsync(ReceiverApi api, TextWriter output)
    {
        var devices = await api.GetAsync("api/devices");
        output.WriteLine($"{"id",-20} {"kind",-5} {"enabled",-8} {"verified",-9} {"last seen (UTC)",-20} {"battery",-8} {"signal",-9} {"path",-5} owner");
        int n = 0;
        foreach (var d in devices.EnumerateArray())
        {
            string id = d.GetProperty("id").GetString()!;
            string lastSeen = d.TryGetProperty("lastSeenUtc", out var seen) && seen.ValueKind == JsonValueKind.String ? seen.GetString()![..Math.Min(19, seen.GetString()!.Length)].Replace('T', ' ') : "never";
            string battery = d.TryGetProperty("batteryPercent", out var b) && b.ValueKind == JsonValueKind.Number ? b.GetInt32() + " %" : "-";
            string signal = d.TryGetProperty("signalDbm", out var sg) && sg.ValueKind == JsonValueKind.Number ? sg.GetInt32() + " dBm" : "-";
            string path = d.TryGetProperty("lastPath", out var pth) && pth.ValueKind == JsonValueKind.String ? pth.GetString()! : "-";
            output.WriteLine($"{id,-20} {d.GetProperty("kind").GetString(),-5} {(d.GetProperty("enabled").GetBoolean() ? "yes" : "REVOKED"),-8} {(d.GetProperty("verified").GetBoolean() ? "yes" : "no"),-9} {lastSeen,-20} {battery,-8} {signal,-9} {path,-5} {d.GetProperty("ownerName").GetString()}"
                + (DeviceIds.Problem(id) is { } problem ? " — id " + problem + "; it still works: provision the device under a new id, then revoke this one" : ""));
            n++;
        }
        output.WriteLine(n + " device(s)");
        return 0;
    }

    public static async Task<int> RevokeAsync(ReceiverApi api, string id, TextWriter output)
    {
        try
        {
            // The id goes in the body: an id of dots only (provisioned before the rule) cannot be a step of a URL path.
            await api.PostAsync("api/devices/revoke", new { id });
        }
        catch (CliException e) when (e.Message.Contains(" 404:", StringComparison.Ordinal))
        {
            throw new CliException("no device " + id + " at " + api.BaseUrl + " (see: panicctl devices list)");
        }
        output.WriteLine("revoked " + id + ": its frames are now rejected and it can no longer log in to the broker");
        return 0;
    }
}

/// <summary>
/// `alerts tail`: prints alerts as they arrive and change (polls the API; Ctrl-C ends it). A receiver that goes away
/// (restart, upgrade) is waited for, said once, and what arrived meanwhile is printed when it is back: an operator
/// following alerts must not find the tail silently dead.
/// </summary>
public static class AlertsTailCommand
{
    public static async Task<int> RunAsync(ReceiverApi api, TextWriter output, int? count, TimeSpan? duration, TimeSpan interval, CancellationToken ct)
    {
        var seen = new Dictionary<long, string>();
        foreach (var a in (await api.GetAsync("api/alerts?limit=200", ct)).EnumerateArray())
        {
            seen[a.GetProperty("id").GetInt64()] = a.GetProperty("state").GetString() + "/" + a.GetProperty("timeline").GetArrayLength();
        }
        output.WriteLine("following alerts at " + api.BaseUrl + " (" + seen.Count + " already there; Ctrl-C to stop)");
        var end = duration is { } d ? DateTime.UtcNow + d : DateTime.MaxValue;
        int printed = 0;
        bool away = false;
        while (!ct.IsCancellationRequested && DateTime.UtcNow < end)
        {
            IEnumerable<JsonElement> alerts;
            try
            {
                alerts = (await api.GetAsync("api/alerts?limit=200", ct)).EnumerateArray().Reverse().ToList();
            }
            catch (ReceiverUnreachableException e)
            {
                if (!away)
                {
                    output.WriteLine(DateTime.Now.ToString("HH:mm:ss") + "  receiver unreachable: " + e.Message + "; still following, retrying every " + interval.TotalSeconds.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) + " s");
                    away = true;
                }
                try { await Task.Delay(interval, ct); } catch (TaskCanceledException) { break; }
                continue;
            }
            if (away)
            {
                output.WriteLine(DateTime.Now.ToString("HH:mm:ss") + "  receiver back at " + api.BaseUrl);
                away = false;
            }
            foreach (var a in alerts)
            {
                long id = a.GetProperty("id").GetInt64();
                string stamp = a.GetProperty("state").GetString() + "/" + a.GetProperty("timeline").GetArrayLength();
                if (seen.TryGetValue(id, out string? before) && before == stamp) continue;
                seen[id] = stamp;
                output.WriteLine(Describe(a, before == null));
                printed++;
                if (count is { } c && printed >= c) return 0;
            }
            try { await Task.Delay(interval, ct); } catch (TaskCanceledException) { break; }
        }
        return count == null ? 0 : 1;
    }

    public static string Describe(JsonElement a, bool isNew)
    {
        string where = a.GetProperty("lat").ValueKind == JsonValueKind.Number
            ? a.GetProperty("lat").GetDouble().ToString("0.000000", System.Globalization.CultureInfo.InvariantCulture) + "," + a.GetProperty("lon").GetDouble().ToString("0.000000", System.Globalization.CultureInfo.InvariantCulture)
              + (a.GetProperty("accuracyM").ValueKind == JsonValueKind.Number ? " ±" + a.GetProperty("accuracyM").GetInt32() + " m" : "")
            : "POSITION UNKNOWN";
        var timeline = a.GetProperty("timeline");
        string last = timeline.GetArrayLength() > 0 ? timeline[timeline.GetArrayLength() - 1].GetProperty("event").GetString() ?? "" : "";
        return DateTime.Now.ToString("HH:mm:ss") + (isNew ? "  NEW   " : "  UPDATE") + " #" + a.GetProperty("id").GetInt64() + " " + a.GetProperty("deviceId").GetString()
            + " " + a.GetProperty("kind").GetString() + (a.GetProperty("duress").GetBoolean() ? " DURESS" : "") + " [" + a.GetProperty("state").GetString() + "] " + where
            + (last.Length > 0 ? " — " + last : "");
    }
}
