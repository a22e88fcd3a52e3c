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
Console.Error.WriteLine("usage: panicctl demo [--once] | panicctl frame decode --key HEX (HEXFRAME | \"PD1:...\") [--json]");
return 2;
