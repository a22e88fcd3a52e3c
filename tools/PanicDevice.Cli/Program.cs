using PanicDevice.Cli;

// panicctl: the provisioning and test CLI (more commands arrive with the simulator/CLI issue).
string? Option(string name)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

if (args.Length >= 1 && args[0] == "demo")
{
    return await DemoCommand.RunAsync(args.Contains("--once"), Console.Out);
}
if (args.Length >= 2 && args[0] == "frame" && args[1] == "decode")
{
    string? key = Option("--key");
    string? frame = args.Skip(2).Where((a, i) => !a.StartsWith("--") && (i == 0 || args[i + 1] != "--key")).LastOrDefault();
    if (key == null || frame == null)
    {
        Console.Error.WriteLine("usage: panicctl frame decode --key HEX (HEXFRAME | \"PD1:...\") [--json]");
        return 2;
    }
    return FrameDecodeCommand.Run(key, frame, args.Contains("--json"), Console.Out);
}
if (args.Length >= 1 && args[0] == "provision")
{
    string[] required = { "--id", "--owner", "--phone", "--receiver", "--token", "--broker", "--out" };
    string? missing = required.FirstOrDefault(r => Option(r) == null);
    if (missing != null)
    {
        Console.Error.WriteLine("error: " + missing + " is required. usage: panicctl provision --id ID --kind fob|wall --owner NAME --phone NUMBER [--guardian NUMBER ...] [--address TEXT --lat DEG --lon DEG] --receiver URL --token OPERATOR_TOKEN --broker HOST[:PORT] [--apn APN] [--language en|id] [--gateway NUMBER] --out device.json");
        return 2;
    }
    string broker = Option("--broker")!;
    int colon = broker.LastIndexOf(':');
    double? Degrees(string name) => Option(name) is string v && double.TryParse(v, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double d) ? d : null;
    var request = new ProvisionRequest(Option("--id")!, Option("--kind") ?? "fob", Option("--owner")!, Option("--phone")!,
        args.Select((a, i) => (a, i)).Where(x => x.a == "--guardian" && x.i + 1 < args.Length).Select(x => args[x.i + 1]).ToArray(),
        Option("--address"), Degrees("--lat"), Degrees("--lon"), Option("--receiver")!, Option("--token")!,
        colon > 0 ? broker[..colon] : broker, colon > 0 && int.TryParse(broker[(colon + 1)..], out int port) ? port : 1883,
        Option("--apn") ?? "internet", Option("--language") ?? "en", Option("--gateway") ?? "", Option("--out")!);
    return await ProvisionCommand.RunAsync(request, Console.Out);
}
Console.Error.WriteLine("usage: panicctl demo [--once] | panicctl frame decode --key HEX (HEXFRAME | \"PD1:...\") [--json] | panicctl provision ... (run it without options for the list)");
return 2;
