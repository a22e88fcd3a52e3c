using PanicDevice.Cli;

// panicctl: the provisioning and test CLI. This first version has the one-command demo.
if (args.Length >= 1 && args[0] == "demo")
{
    bool once = args.Contains("--once");
    return await DemoCommand.RunAsync(once, Console.Out);
}
Console.Error.WriteLine("usage: panicctl demo [--once]   (runs the receiver and a simulated fob that sends an alert)");
return 2;
