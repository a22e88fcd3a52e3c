using System.CommandLine;
using System.Globalization;

namespace PanicDevice.Cli;

/// <summary>panicctl's command tree (System.CommandLine). Errors the user can fix print as one line.</summary>
public static class CliApp
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var root = Build(output);
        var parse = root.Parse(args);
        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (CliException e)
        {
            error.WriteLine("error: " + e.Message);
            return 1;
        }
    }

    private static Option<string> Receiver() => new("--receiver") { Description = "receiver base URL", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("PANICCTL_RECEIVER") ?? "http://127.0.0.1:8080" };

    private static Option<string?> Token() => new("--token") { Description = "operator token (default: $PANICCTL_TOKEN; the receiver writes it to <data>/operator-token)" };

    private static ReceiverApi Api(ParseResult p, Option<string> receiver, Option<string?> token)
    {
        string? t = p.GetValue(token) ?? Environment.GetEnvironmentVariable("PANICCTL_TOKEN");
        if (string.IsNullOrEmpty(t))
            throw new CliException("an operator token is needed: --token TOKEN or PANICCTL_TOKEN (the receiver writes it to <data>/operator-token)");
        return new ReceiverApi(p.GetValue(receiver)!, t);
    }

    public static RootCommand Build(TextWriter output)
    {
        var root = new RootCommand("panicctl: PanicDevice's provisioning, simulation and test tool");

        // demo
        var once = new Option<bool>("--once") { Description = "exit 0 after the acknowledgement (non-zero with the reason otherwise)" };
        var demo = new Command("demo", "start a receiver and a simulated fob, triple-tap it and follow the alert") { once };
        demo.SetAction((p, ct) => DemoCommand.RunAsync(p.GetValue(once), output));
        root.Subcommands.Add(demo);

        // frame decode
        var key = new Option<string>("--key") { Description = "the device key in hex", Required = true };
        var json = new Option<bool>("--json") { Description = "print JSON" };
        var frameArg = new Argument<string>("frame") { Description = "the frame as hex, or the SMS text PD1:..." };
        var decode = new Command("decode", "decode a frame and check its tag") { key, json, frameArg };
        decode.SetAction(p => FrameDecodeCommand.Run(p.GetValue(key)!, p.GetValue(frameArg)!, p.GetValue(json), output));
        root.Subcommands.Add(new Command("frame", "frame tools") { decode });

        // provision
        var id = new Option<string>("--id") { Required = true, Description = "device id" };
        var kind = new Option<string>("--kind") { DefaultValueFactory = _ => "fob", Description = "fob or wall" };
        kind.AcceptOnlyFromAmong("fob", "wall");
        var owner = new Option<string>("--owner") { Required = true };
        var phone = new Option<string>("--phone") { Required = true };
        var guardian = new Option<string[]>("--guardian") { Description = "guardian phone number (repeat for more)" };
        var address = new Option<string?>("--address");
        var notes = new Option<string?>("--notes") { Description = "what an operator should know first (medical, site access); shown to operators only" };
        var lat = new Option<double?>("--lat");
        var lon = new Option<double?>("--lon");
        var receiver = Receiver();
        var token = Token();
        var broker = new Option<string>("--broker") { Required = true, Description = "HOST[:PORT] the device connects to" };
        var apn = new Option<string>("--apn") { DefaultValueFactory = _ => "internet" };
        var language = new Option<string>("--language") { DefaultValueFactory = _ => "en" };
        language.AcceptOnlyFromAmong("en", "id");
        var gateway = new Option<string>("--gateway") { DefaultValueFactory = _ => "", Description = "the command centre's SMS gateway number" };
        var outPath = new Option<string>("--out") { Required = true, Description = "device.json to write" };
        var rekey = new Option<bool>("--rekey") { Description = "replace the key of an existing device (its old key is refused from then on; recorded for operators)" };
        var operatorName = new Option<string?>("--operator") { Description = "your name, recorded with a re-key (default: the login name)" };
        var country = new Option<string>("--country") { DefaultValueFactory = _ => "ID", Description = "the country whose national numbers (0812…) --phone, --guardian and --gateway may use, and whose emergency number is the default (" + PanicDevice.Core.Config.DialingPlan.Known() + ")" };
        var emergency = new Option<string?>("--emergency-number") { Description = "where the emergency SMS goes (default: the country's, 112 for ID; \"\" turns it off)" };
        var profile = new Option<string>("--profile") { DefaultValueFactory = _ => "live", Description = "live, or test: a bench unit whose emergency SMS goes to --tester-phone" };
        profile.AcceptOnlyFromAmong("live", "test");
        var testerPhone = new Option<string?>("--tester-phone") { Description = "with --profile test: your own phone, which gets the emergency SMS" };
        var provision = new Command("provision", "generate a device key, register the device, write its device.json")
            { id, kind, owner, phone, guardian, address, notes, lat, lon, receiver, token, broker, apn, language, gateway, outPath, rekey, operatorName, country, emergency, profile, testerPhone };
        provision.SetAction(async (p, ct) =>
        {
            string b = p.GetValue(broker)!;
            int colon = b.LastIndexOf(':');
            string t = p.GetValue(token) ?? Environment.GetEnvironmentVariable("PANICCTL_TOKEN")
                ?? throw new CliException("an operator token is needed: --token TOKEN or PANICCTL_TOKEN");
            var request = new ProvisionRequest(p.GetValue(id)!, p.GetValue(kind)!, p.GetValue(owner)!, p.GetValue(phone)!, p.GetValue(guardian) ?? Array.Empty<string>(),
                p.GetValue(address), p.GetValue(lat), p.GetValue(lon), p.GetValue(receiver)!, t,
                colon > 0 ? b[..colon] : b, colon > 0 && int.TryParse(b[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int port) ? port : 1883,
                p.GetValue(apn)!, p.GetValue(language)!, p.GetValue(gateway)!, p.GetValue(outPath)!, p.GetValue(rekey), p.GetValue(operatorName),
                p.GetValue(country)!, p.GetValue(emergency), p.GetValue(profile)!, p.GetValue(testerPhone), p.GetValue(notes));
            return await ProvisionCommand.RunAsync(request, output);
        });
        root.Subcommands.Add(provision);

        // config check
        var configFile = new Argument<string>("file") { Description = "the device.json to check" };
        var refuseLive = new Option<bool>("--refuse-live-emergency") { Description = "exit 3 when the emergency SMS would reach an emergency service (flash.sh uses it)" };
        var configCheck = new Command("check", "check a device.json with the device's own reader (the errors the device would show)") { configFile, refuseLive };
        configCheck.SetAction(p => ConfigCheckCommand.Run(p.GetValue(configFile)!, p.GetValue(refuseLive), output));
        root.Subcommands.Add(new Command("config", "device configuration tools") { configCheck });

        // devices list | revoke
        var listReceiver = Receiver();
        var listToken = Token();
        var list = new Command("list", "list the receiver's devices") { listReceiver, listToken };
        list.SetAction((p, ct) => DevicesCommands.ListAsync(Api(p, listReceiver, listToken), output));
        var revokeId = new Option<string>("--id") { Required = true };
        var revokeReceiver = Receiver();
        var revokeToken = Token();
        var revoke = new Command("revoke", "revoke a device: its frames are refused and it cannot log in") { revokeId, revokeReceiver, revokeToken };
        revoke.SetAction((p, ct) => DevicesCommands.RevokeAsync(Api(p, revokeReceiver, revokeToken), p.GetValue(revokeId)!, output));
        root.Subcommands.Add(new Command("devices", "the device registry") { list, revoke });

        // alerts tail
        var tailReceiver = Receiver();
        var tailToken = Token();
        var count = new Option<int?>("--count") { Description = "stop after this many lines" };
        var seconds = new Option<int?>("--seconds") { Description = "stop after this many seconds" };
        var tail = new Command("tail", "print alerts as they arrive and change") { tailReceiver, tailToken, count, seconds };
        tail.SetAction((p, ct) => AlertsTailCommand.RunAsync(Api(p, tailReceiver, tailToken), output, p.GetValue(count),
            p.GetValue(seconds) is { } s ? TimeSpan.FromSeconds(s) : null, TimeSpan.FromMilliseconds(500), ct));
        root.Subcommands.Add(new Command("alerts", "alerts at the receiver") { tail });

        // alert test
        var testConfig = new Option<string>("--config") { Required = true, Description = "the device's device.json (it holds the key)" };
        var testId = new Option<string?>("--id") { Description = "the device id (checked against device.json)" };
        var testReceiver = Receiver();
        var testToken = Token();
        var test = new Command("test", "send a test alert from a device end to end and wait for the signed ack") { testConfig, testId, testReceiver, testToken };
        test.SetAction((p, ct) => AlertTestCommand.RunAsync(p.GetValue(testConfig)!, p.GetValue(testId), p.GetValue(testReceiver)!,
            p.GetValue(testToken) ?? Environment.GetEnvironmentVariable("PANICCTL_TOKEN"), output, ct));
        root.Subcommands.Add(new Command("alert", "one alert") { test });

        // simulate
        var simConfig = new Option<string>("--config") { Required = true, Description = "device.json (from panicctl provision)" };
        var script = new Option<string?>("--script") { Description = "timed button script (press/release/tap/taps/hold/wait/test/expect/nodata/data/ring/dropcall)" };
        var trackOpt = new Option<string?>("--track") { Description = "GPX track fed as GNSS fixes" };
        var rtt = new Option<int>("--rtt") { Description = "emulated GPRS round trip, ms" };
        var noData = new Option<bool>("--no-data") { Description = "no data service: only SMS get through" };
        var wifiOpt = new Option<bool>("--wifi") { Description = "wall unit with Wi-Fi: frames go over Wi-Fi first, cellular stands by (script steps wifidown / wifiup)" };
        var phones = new Option<string[]>("--phone") { Description = "how a number the device calls answers: NUMBER=answer[:KEYS]|busy|noanswer|voicemail|unreachable (repeat)", AllowMultipleArgumentsPerToken = false };
        var simReceiver = Receiver();
        var gatewayToken = new Option<string?>("--gateway-token") { Description = "token to post data SMS to the receiver's SMS gateway endpoint (default: $PANICCTL_GATEWAY_TOKEN)" };
        var simulate = new Command("simulate", "run a virtual device with the real Core, an emulated SIM800 and the real broker")
            { simConfig, script, trackOpt, rtt, noData, wifiOpt, phones, simReceiver, gatewayToken };
        simulate.SetAction((p, ct) =>
        {
            string? gt = p.GetValue(gatewayToken) ?? Environment.GetEnvironmentVariable("PANICCTL_GATEWAY_TOKEN");
            return new SimulateCommand(new SimulateOptions(p.GetValue(simConfig)!, p.GetValue(script), p.GetValue(trackOpt), p.GetValue(rtt), p.GetValue(noData),
                gt != null ? p.GetValue(simReceiver)!.TrimEnd('/') + "/api/sms/inbound" : null, gt, Wifi: p.GetValue(wifiOpt), Phones: p.GetValue(phones)), output).RunAsync(ct);
        });
        root.Subcommands.Add(simulate);

        // modem check
        var serial = new Option<string>("--port") { Required = true, Description = "serial port, e.g. /dev/ttyUSB0 or COM5" };
        var baud = new Option<int>("--baud") { DefaultValueFactory = _ => 115200 };
        var checkApn = new Option<string>("--apn") { DefaultValueFactory = _ => "internet" };
        var mqtt = new Option<string?>("--mqtt") { Description = "HOST:PORT of an MQTT broker for the TCP round trip" };
        var sms = new Option<string?>("--sms") { Description = "also send a test SMS to this number" };
        var check = new Command("check", "drive a real SIM800 on a serial port with the device's driver") { serial, baud, checkApn, mqtt, sms };
        check.SetAction(p => ModemCheckCommand.RunOnSerialPort(p.GetValue(serial)!, p.GetValue(baud),
            new ModemCheckOptions(p.GetValue(checkApn)!, MqttHostPort: p.GetValue(mqtt), SmsNumber: p.GetValue(sms)), output));
        root.Subcommands.Add(new Command("modem", "modem tools") { check });
        return root;
    }
}
