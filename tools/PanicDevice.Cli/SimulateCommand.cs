using System.Net.Http.Headers;
using System.Net.Http.Json;
using PanicDevice.Core.Config;
using PanicDevice.Core.Delivery;
using PanicDevice.Core.Location;
using PanicDevice.Core.Modem;
using PanicDevice.Core.Protocol;
using PanicDevice.Host;
using PanicDevice.ModemEmulator;
using PanicDevice.Core.Feedback;

namespace PanicDevice.Cli;

/// <summary>What `simulate` was asked to do.</summary>
public sealed record SimulateOptions(string ConfigPath, string? ScriptPath = null, string? TrackPath = null, int RttMs = 0, bool NoData = false,
    string? SmsGatewayUrl = null, string? GatewayToken = null, bool VirtualTime = false, string? ScriptText = null, bool Wifi = false,
    IReadOnlyList<string>? Phones = null);

/// <summary>
/// `panicctl simulate`: a virtual device running the real Core from its device.json — button from a timed
/// script or the keyboard, GNSS from a GPX track, and the SIM800 driver talking to the modem emulator, whose
/// TCP reaches the real broker. SMS the modem sends are printed; those to the SMS gateway number are
/// posted to the receiver's gateway endpoint, as the command centre's SMS gateway would.
/// </summary>
public sealed class SimulateCommand
{
    private readonly SimulateOptions options;
    private readonly TextWriter output;
    private SimulatedDevice device = null!;
    private Sim800Emulator modem = null!;
    private DeviceConfig config = null!;
    private MqttnetClientPort? wifi;
    private List<TrackPoint> track = new();
    private int trackIndex;
    private int smsSeen;
    private long startMs;
    private readonly List<Task> gatewayPosts = new();
    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(15) };

    public SimulateCommand(SimulateOptions options, TextWriter output)
    {
        this.options = options;
        this.output = output;
    }

    public async Task<int> RunAsync(CancellationToken ct = default)
    {
        config = LoadConfig(options.ConfigPath);
        var steps = options.ScriptText != null ? TapScript.Parse(options.ScriptText)
            : options.ScriptPath != null ? TapScript.Parse(ReadText(options.ScriptPath)) : null;
        if (steps == null && Console.IsInputRedirected)
            throw new CliException("no --script and no keyboard: give --script taps.txt (see panicctl simulate --help)");
        if (options.TrackPath != null) track = GpxTrack.Read(options.TrackPath);

        if (options.Wifi)
        {
            if (config.Kind != DeviceKind.Wall)
                throw new CliException("--wifi is for wall units: " + options.ConfigPath + " has kind " + config.Kind.ToString().ToLowerInvariant() + " (provision with --kind wall)");
            // MQTTnet stands in for M2Mqtt over the wall unit's Wi-Fi, to the same broker.
            wifi = new MqttnetClientPort(config.BrokerHost, config.BrokerPort);
        }
        modem = new Sim800Emulator(new EmulatorFaults { RoundTripMs = options.RttMs, NoData = options.NoData });
        modem.StartOn(0);
        foreach (string phone in options.Phones ?? Array.Empty<string>())
        {
            var (number, behaviour) = ParsePhone(phone);
            modem.Phones[number] = behaviour;
        }
        device = new SimulatedDevice(config, line => Say(line), new SimulatedDeviceOptions
        {
            // The device's flash lives beside its device.json, so its counter survives between runs.
            FlashFolder = options.ConfigPath + ".flash",
            Modem = modem, Wifi = wifi, VirtualStepMs = options.VirtualTime ? 10 : 0, ConnectTimeoutMs = 90000, ReconnectMinMs = 1000,
            ModemSettings = new Sim800Settings { Apn = config.Apn, ApnUser = config.ApnUser, ApnPassword = config.ApnPassword },
        });
        device.EachStep = OnEachStep;
        startMs = device.Now;
        Say("device " + config.DeviceId + " (" + config.Kind.ToString().ToLowerInvariant() + ") on an emulated SIM800" + (options.RttMs > 0 ? ", RTT " + options.RttMs + " ms" : "")
            + (options.NoData ? ", no data service (SMS only)" : "") + (wifi != null ? ", Wi-Fi first (cellular standby)" : "")
            + "; broker " + config.BrokerHost + ":" + config.BrokerPort);

        int failures = steps != null ? RunScript(steps) : RunKeyboard(ct);
        device.RunFor(1000);
        await Task.WhenAll(gatewayPosts);
        if (device.Dual != null)
            Say("paths: " + device.Dual.PrimaryPublishes + " frame(s) sent on Wi-Fi, " + device.Dual.SecondaryPublishes + " on cellular, " + device.Dual.Failovers + " failover(s)");
        wifi?.Dispose();
        Say("done: " + device.App.Engine.PendingCount + " message(s) still in the outbox, " + modem.Sms.Count + " SMS sent"
            + (failures > 0 ? ", " + failures + " expectation(s) not met" : ""));
        return failures == 0 ? 0 : 1;
    }

    /// <summary>
    /// --phone NUMBER=WHAT: how a number the device calls answers. WHAT is answer (picks up, presses nothing), answer:KEYS
    /// (presses the DTMF keys, e.g. answer:1), busy, noanswer, voicemail or unreachable. Numbers not given never answer.
    /// </summary>
    public static (string Number, EmulatedPhone Phone) ParsePhone(string spec)
    {
        int eq = spec.IndexOf('=');
        string number = eq > 0 ? spec[..eq].Trim() : "";
        string what = eq > 0 ? spec[(eq + 1)..].Trim().ToLowerInvariant() : "";
        if (!PhoneNumbers.IsValid(number))
            throw new CliException("--phone " + spec + ": give NUMBER=answer[:KEYS]|busy|noanswer|voicemail|unreachable, the number as dialled (e.g. 112=answer or +6281200000001=answer:1)");
        var phone = new EmulatedPhone();
        if (what == "answer" || what.StartsWith("answer:", StringComparison.Ordinal))
        {
            phone.Keys = what.Length > 7 ? what[7..] : "";
            if (phone.Keys.Any(c => !"0123456789*#".Contains(c)))
                throw new CliException("--phone " + spec + ": keys are 0-9, * and #");
        }
        else
        {
            phone.Answer = what switch
            {
                "busy" => PhoneAnswer.Busy,
                "noanswer" => PhoneAnswer.NoAnswer,
                "voicemail" => PhoneAnswer.Voicemail,
                "unreachable" => PhoneAnswer.Unreachable,
                _ => throw new CliException("--phone " + spec + ": '" + what + "' is not answer, answer:KEYS, busy, noanswer, voicemail or unreachable"),
            };
        }
        return (number, phone);
    }

    private int RunScript(List<ScriptStep> steps)
    {
        int failures = 0;
        // The first feedback event an expect may match. An action step moves it to the events from that step on,
        // a met expect to the events after the one it matched: an event before the previous step never counts,
        // or a script would pass on an earlier alert's acknowledgement with the latest one still in the outbox.
        int from = 0;
        foreach (var s in steps)
        {
            if (s.Verb != "expect") from = device.Feedback.Count;
            switch (s.Verb)
            {
                case "press": device.App.OnRawButtonEdge(true, device.Now); device.RunFor(20); break;
                case "release": device.App.OnRawButtonEdge(false, device.Now); device.RunFor(20); break;
                case "tap": device.Tap(s.Number, int.Parse(s.Text)); break;
                case "taps": for (int i = 0; i < s.Number; i++) device.Tap(120, 200); break;
                case "hold": device.Tap(s.Number, 200); break;
                case "wait": device.RunFor(s.Number); break;
                case "test": device.App.Engine.RaiseAlert(AlertCode.Test, device.Now); break;
                case "nodata": modem.Faults.NoData = true; modem.DeactivatePdp(); Say("modem: data service cut"); break;
                case "data": modem.Faults.NoData = false; Say("modem: data service back"); break;
                case "ring": modem.RingFrom(s.Text); Say("network: " + s.Text + " calls the device"); break;
                case "dropcall": modem.DropCall(); Say("network: the call is dropped"); break;
                case "wifidown": RequireWifi(s).NetworkUp = false; Say("Wi-Fi: network lost"); break;
                case "wifiup": RequireWifi(s).NetworkUp = true; Say("Wi-Fi: network back"); break;
                case "expect" when string.Equals(s.Text, "WifiConnected", StringComparison.OrdinalIgnoreCase):
                    if (!device.RunUntil(() => RequireWifiUplink(s).IsConnected, TimeSpan.FromSeconds(s.Number)))
                    {
                        Say("EXPECTATION NOT MET (line " + s.Line + "): Wi-Fi not connected within " + s.Number + " s; Wi-Fi: " + device.WifiUplink!.LastError);
                        failures++;
                    }
                    else
                    {
                        Say("ok (line " + s.Line + "): Wi-Fi connected");
                    }
                    break;
                case "expect":
                    if (!Enum.TryParse(s.Text, true, out FeedbackEvent wanted))
                        throw new CliException("script line " + s.Line + ": unknown event '" + s.Text + "' (" + string.Join(", ", Enum.GetNames<FeedbackEvent>()) + ")");
                    int at = -1;
                    if (!device.RunUntil(() => (at = device.Feedback.IndexOf(wanted, from)) >= 0, TimeSpan.FromSeconds(s.Number)))
                    {
                        Say("EXPECTATION NOT MET (line " + s.Line + "): no " + wanted + " within " + s.Number + " s after the previous step; modem: " + device.Driver?.LastError + "; session: " + device.Session.LastError);
                        failures++;
                    }
                    else
                    {
                        from = at + 1;
                        Say("ok (line " + s.Line + "): " + wanted);
                    }
                    break;
            }
        }
        return failures;
    }

    private int RunKeyboard(CancellationToken ct)
    {
        Say("keys: t = triple tap (alert), h = hold 3.5 s (alert), c = hold 8 s (cancel), d = tap + hold 8 s (duress cancel), x = test alert, q = quit");
        while (!ct.IsCancellationRequested)
        {
            device.RunFor(50);
            if (!Console.KeyAvailable) continue;
            switch (char.ToLowerInvariant(Console.ReadKey(true).KeyChar))
            {
                case 't': for (int i = 0; i < 3; i++) device.Tap(120, 200); break;
                case 'h': device.Tap(3500, 200); break;
                case 'c': device.Tap(8500, 200); break;
                case 'd': device.Tap(120, 300); device.Tap(8500, 200); break;
                case 'x': device.App.Engine.RaiseAlert(AlertCode.Test, device.Now); break;
                case 'q': return 0;
            }
        }
        return 0;
    }

    private void OnEachStep()
    {
        double elapsedS = (device.Now - startMs) / 1000.0;
        while (trackIndex < track.Count && track[trackIndex].AtS <= elapsedS)
        {
            var p = track[trackIndex++];
            device.App.Location.Update(new LocationFix
            {
                LatitudeE7 = (int)Math.Round(p.Lat * 1e7), LongitudeE7 = (int)Math.Round(p.Lon * 1e7), AccuracyM = 5, FixAtMs = device.Now, Source = LocationSource.Gnss,
            });
        }
        while (smsSeen < modem.Sms.Count)
        {
            var sms = modem.Sms[smsSeen++];
            Say("SMS to " + sms.Number + (sms.Parts > 1 ? " (" + sms.Parts + " parts)" : "") + ": " + sms.Text);
            if (sms.Number == config.GatewayNumber && options.SmsGatewayUrl != null)
            {
                gatewayPosts.Add(PostToGatewayAsync(sms.Text));
            }
        }
    }

    private async Task PostToGatewayAsync(string text)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, options.SmsGatewayUrl)
        {
            Content = JsonContent.Create(new { from = config.OwnerPhone.Length > 0 ? config.OwnerPhone : config.DeviceId, text }),
        };
        if (options.GatewayToken != null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ReceiverApi.CleanToken(options.GatewayToken, "gateway token"));
        try
        {
            var response = await http.SendAsync(request);
            Say("SMS gateway → receiver: " + (int)response.StatusCode + " " + await response.Content.ReadAsStringAsync());
        }
        catch (HttpRequestException e)
        {
            Say("SMS gateway could not reach the receiver: " + e.Message);
        }
    }

    private void Say(string line) => output.WriteLine("[" + ((device?.Now ?? 0) - startMs).ToString("000000") + " ms] " + line);

    private PanicDevice.Core.Mqtt.BrokerClientUplink RequireWifiUplink(ScriptStep s) =>
        device.WifiUplink ?? throw new CliException("script line " + s.Line + ": expect WifiConnected needs --wifi");

    private MqttnetClientPort RequireWifi(ScriptStep s) =>
        wifi ?? throw new CliException("script line " + s.Line + ": " + s.Verb + " needs --wifi");

    public static DeviceConfig LoadConfig(string path)
    {
        var result = DeviceConfigReader.Read(ReadText(path));
        if (result.Config == null)
            throw new CliException(path + ": " + result.Error);
        return result.Config;
    }

    private static string ReadText(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException("cannot read " + path + ": " + e.Message);
        }
    }
}
