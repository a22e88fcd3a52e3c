using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using PanicDevice.Core.Config;
using PanicDevice.Core.Protocol;

namespace PanicDevice.Cli;

/// <summary>What `panicctl provision` needs to know.</summary>
public sealed record ProvisionRequest(string Id, string Kind, string Owner, string Phone, string[] Guardians, string? Address, double? Lat, double? Lon,
    string ReceiverUrl, string OperatorToken, string BrokerHost, int BrokerPort, string Apn, string Language, string GatewayNumber, string OutPath,
    bool Rekey = false, string? Operator = null, string Country = "ID", string? EmergencyNumber = null, string Profile = "live", string? TesterPhone = null,
    string? Notes = null);

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
        if (Numbers(r, output) is not { } numbers)
        {
            return 2;
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
        var config = new JsonObject
        {
            ["deviceId"] = r.Id,
            ["key"] = key,
            ["kind"] = r.Kind,
            ["owner"] = new JsonObject { ["name"] = r.Owner, ["phone"] = numbers.Phone },
            ["language"] = r.Language,
            ["profile"] = r.Profile,
            ["emergencyNumber"] = numbers.Emergency,
            ["guardians"] = new JsonArray(numbers.Guardians.Select(g => (JsonNode)JsonValue.Create(g)!).ToArray()),
            ["gatewayNumber"] = numbers.Gateway,
            ["broker"] = new JsonObject { ["host"] = r.BrokerHost, ["port"] = r.BrokerPort },
            ["cellular"] = new JsonObject { ["apn"] = r.Apn, ["user"] = "", ["password"] = "" },
        };
        if (r.Lat is double lat && r.Lon is double lon)
        {
            // Written as decimal text with 7 places so the device reads exactly the same 1e-7 degrees.
            config["fixedLocation"] = JsonNode.Parse("{\"lat\":" + lat.ToString("0.0######", CultureInfo.InvariantCulture) + ",\"lon\":" + lon.ToString("0.0######", CultureInfo.InvariantCulture) + ",\"accuracyM\":15}");
        }
        // Relaxed escaping: a tester reads and checks this file, so "+62…" and "Sité" stay as typed, not "\u002B62…".
        string text = config.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";
        // The device's own reader, before anything is registered: a file it would refuse leaves the unit in its fault blink.
        if (DeviceConfigReader.Read(text).Error is { } deviceError)
        {
            output.WriteLine("error: the device would refuse this configuration: " + deviceError + "; nothing was registered");
            return 2;
        }
        http ??= new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, r.ReceiverUrl.TrimEnd('/') + "/api/devices")
        {
            Content = JsonContent.Create(new
            {
                id = r.Id, key, kind = r.Kind, ownerName = r.Owner, ownerPhone = numbers.Phone, guardians = numbers.Guardians,
                address = r.Address, lat = r.Lat, lon = r.Lon, verified = true, language = r.Language,
                rekey = r.Rekey, @operator = r.Operator ?? Environment.UserName, notes = r.Notes,
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

        File.WriteAllText(r.OutPath, text);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(r.OutPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        if (r.Rekey)
        {
            output.WriteLine("re-keyed " + r.Id + ": its old key is refused from now on; flash " + r.OutPath + " to the device before it is needed");
        }
        output.WriteLine("provisioned " + r.Id + " (" + r.Kind + ", owner " + r.Owner + ") with the receiver at " + r.ReceiverUrl);
        output.WriteLine(r.Profile == DeviceConfig.TestProfile
            ? "test profile: the emergency SMS goes to the tester's phone " + numbers.Emergency + ", never to an emergency service"
            : numbers.Emergency.Length == 0 ? "the emergency SMS is off (--emergency-number \"\")"
            : "the emergency SMS goes to " + numbers.Emergency + (DialingPlan.IsEmergencyService(numbers.Emergency) ? ", a live emergency service (" + r.Country.ToUpperInvariant() + "): never trigger the SMS fallback on a bench with this file (use --profile test)" : ""));
        output.WriteLine("device configuration written to " + r.OutPath + " (it holds the device key: keep it private, flash it to I:\\device.json)");
        return 0;
    }

    private sealed record PhoneSet(string Phone, string[] Guardians, string Gateway, string Emergency);

    /// <summary>
    /// Every number in Core's form (PhoneNumbers): people's numbers normalised to E.164 for --country, the emergency number
    /// by --profile; null, after printing the reason, when one cannot be. The device reads them with the same rule.
    /// </summary>
    private static PhoneSet? Numbers(ProvisionRequest r, TextWriter output)
    {
        DialingPlan? plan = DialingPlan.Find(r.Country);
        if (plan == null)
        {
            output.WriteLine("error: --country " + r.Country + " is not one provisioning knows (" + DialingPlan.Known() + "); docs/provisioning.md says how to add one");
            return null;
        }
        string? Person(string option, string typed)
        {
            string? e164 = PhoneNumbers.Normalize(typed, plan, out string? problem);
            if (e164 == null)
            {
                output.WriteLine("error: " + option + " \"" + typed + "\" " + problem);
            }
            return e164;
        }
        if (Person("--phone", r.Phone) is not { } phone)
        {
            return null;
        }
        var guardians = new List<string>();
        foreach (string g in r.Guardians)
        {
            if (Person("--guardian", g) is not { } e164)
            {
                return null;
            }
            guardians.Add(e164);
        }
        string gateway = "";
        if (r.GatewayNumber.Length > 0)
        {
            if (Person("--gateway", r.GatewayNumber) is not { } gw)
            {
                return null;
            }
            gateway = gw;
        }
        string emergency;
        if (r.Profile == DeviceConfig.TestProfile)
        {
            if (r.EmergencyNumber != null)
            {
                output.WriteLine("error: --profile test sends the emergency SMS to --tester-phone; leave out --emergency-number");
                return null;
            }
            if (r.TesterPhone == null)
            {
                output.WriteLine("error: --profile test needs --tester-phone: your own phone, which gets the emergency SMS instead of " + plan.EmergencyNumber);
                return null;
            }
            if (Person("--tester-phone", r.TesterPhone) is not { } tester)
            {
                return null;
            }
            emergency = tester;
        }
        else if (r.Profile == DeviceConfig.LiveProfile)
        {
            emergency = r.EmergencyNumber ?? plan.EmergencyNumber;
            if (emergency.Length > 0 && !PhoneNumbers.IsValid(emergency))
            {
                output.WriteLine("error: --emergency-number \"" + emergency + "\" must be 3 to 20 digits with an optional leading + (or \"\" to turn the emergency SMS off)");
                return null;
            }
        }
        else
        {
            output.WriteLine("error: --profile must be live or test");
            return null;
        }
        return new PhoneSet(phone, guardians.ToArray(), gateway, emergency);
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
