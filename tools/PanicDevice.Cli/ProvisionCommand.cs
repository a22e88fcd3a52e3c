using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using PanicDevice.Core.Protocol;

namespace PanicDevice.Cli;

/// <summary>What `panicctl provision` needs to know.</summary>
public sealed record ProvisionRequest(string Id, string Kind, string Owner, string Phone, string[] Guardians, string? Address, double? Lat, double? Lon,
    string ReceiverUrl, string OperatorToken, string BrokerHost, int BrokerPort, string Apn, string Language, string GatewayNumber, string OutPath,
    bool Rekey = false, string? Operator = null);

/// <summary>
/// `panicctl provision`: makes a fresh 256-bit key, registers the device with the receiver's API, and
/// writes the device.json that is flashed to the device (read by Core's DeviceConfigReader). The key
/// goes to the receiver once and into the file; it is never printed.
/// </summary>
public static class ProvisionCommand
{
    /// <param name="newKey">Makes the key (tests); the machine's cryptographic random generator when null.</param>
    public static async Task<int> RunAsync(ProvisionRequest r, TextWriter output, HttpClient? http = null, Func<byte[]>? newKey = null)
    {
        if (DeviceIds.Problem(r.Id) is { } idProblem)
        {
            output.WriteLine("error: --id " + idProblem);
            return 2;
        }
        if (r.Kind == "wall" && (r.Lat == null || r.Lon == null))
        {
            output.WriteLine("error: a wall button needs --lat and --lon of its installed address");
            return 2;
        }
        foreach (var (option, value) in new[] { ("--owner", r.Owner), ("--phone", r.Phone), ("--address", r.Address) }.Concat(r.Guardians.Select(g => ("--guardian", (string?)g))))
        {
            if (PanicDevice.Receiver.Registry.PlainText.HasControlCharacters(value))
            {
                output.WriteLine("error: " + option + " contains a control character (a line break, tab or escape code); give it as one line of plain text");
                return 2;
            }
        }
        if (File.Exists(r.OutPath))
        {
            output.WriteLine("error: " + r.OutPath + " exists; choose another --out (a device's key must not be overwritten by accident)");
            return 2;
        }
        byte[] keyBytes = newKey != null ? newKey() : RandomNumberGenerator.GetBytes(FrameCodec.KeyLength);
        if (KeyStrength.Problem(keyBytes) is { } weak)
        {
            // Checked before anything is registered or written; the message names the rule, never the key.
            output.WriteLine("error: the generated " + weak + ": this machine's random generator is not working; nothing was registered");
            return 1;
        }
        string key = Convert.ToHexString(keyBytes).ToLowerInvariant();
        http ??= new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, r.ReceiverUrl.TrimEnd('/') + "/api/devices")
        {
            Content = JsonContent.Create(new
            {
                id = r.Id, key, kind = r.Kind, ownerName = r.Owner, ownerPhone = r.Phone, guardians = r.Guardians,
                address = r.Address, lat = r.Lat, lon = r.Lon, verified = true, language = r.Language,
                rekey = r.Rekey, @operator = r.Operator ?? Environment.UserName,
            }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", r.OperatorToken);
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request);
        }
        catch (HttpRequestException e)
        {
            output.WriteLine("error: cannot reach the receiver at " + r.ReceiverUrl + " (" + e.Message + "); is it running?");
            return 1;
        }
        if (!response.IsSuccessStatusCode)
        {
            string body = await response.Content.ReadAsStringAsync();
            output.WriteLine("error: the receiver refused the device (" + (int)response.StatusCode + "): " + ErrorText(body) + "; nothing was written");
            return 1;
        }

        var config = new JsonObject
        {
            ["deviceId"] = r.Id,
            ["key"] = key,
            ["kind"] = r.Kind,
            ["owner"] = new JsonObject { ["name"] = r.Owner, ["phone"] = r.Phone },
            ["language"] = r.Language,
            ["emergencyNumber"] = "112",
            ["guardians"] = new JsonArray(r.Guardians.Select(g => (JsonNode)JsonValue.Create(g)!).ToArray()),
            ["gatewayNumber"] = r.GatewayNumber,
            ["broker"] = new JsonObject { ["host"] = r.BrokerHost, ["port"] = r.BrokerPort },
            ["cellular"] = new JsonObject { ["apn"] = r.Apn, ["user"] = "", ["password"] = "" },
        };
        if (r.Lat is double lat && r.Lon is double lon)
        {
            // Written as decimal text with 7 places so the device reads exactly the same 1e-7 degrees.
            config["fixedLocation"] = JsonNode.Parse("{\"lat\":" + lat.ToString("0.0######", CultureInfo.InvariantCulture) + ",\"lon\":" + lon.ToString("0.0######", CultureInfo.InvariantCulture) + ",\"accuracyM\":15}");
        }
        File.WriteAllText(r.OutPath, config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(r.OutPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        if (r.Rekey)
        {
            output.WriteLine("re-keyed " + r.Id + ": its old key is refused from now on; flash " + r.OutPath + " to the device before it is needed");
        }
        output.WriteLine("provisioned " + r.Id + " (" + r.Kind + ", owner " + r.Owner + ") with the receiver at " + r.ReceiverUrl);
        output.WriteLine("device configuration written to " + r.OutPath + " (it holds the device key: keep it private, flash it to I:\\device.json)");
        return 0;
    }

    // The receiver answers {"error": "..."}: the sentence is what the user needs, not the JSON around it.
    private static string ErrorText(string body)
    {
        try
        {
            if (JsonNode.Parse(body)?["error"] is JsonValue v && v.TryGetValue(out string? text))
            {
                return text;
            }
        }
        catch (JsonException)
        {
        }
        return body.Length > 300 ? body[..300] : body;
    }
}
