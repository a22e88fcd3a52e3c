using PanicDevice.Bench;

// dotnet run -c Release --project tools/PanicDevice.Bench -- e2e --rtt MS [--session up|cold] [--alerts N] [--transport modem|socket]
string Arg(string name, string fallback)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}
if (args.Length > 0 && args[0] == "e2e")
{
    if (!int.TryParse(Arg("--rtt", "0"), out int rtt) || rtt < 0 || !int.TryParse(Arg("--alerts", "100"), out int alerts) || alerts < 1)
    {
        Console.Error.WriteLine("--rtt takes milliseconds (0 or more) and --alerts a positive count");
        return 2;
    }
    string session = Arg("--session", "up");
    if (session != "up" && session != "cold")
    {
        Console.Error.WriteLine("--session is up or cold");
        return 2;
    }
    string transport = Arg("--transport", "modem");
    if (transport != "modem" && transport != "socket")
    {
        Console.Error.WriteLine("--transport is modem (the SIM800 emulator) or socket");
        return 2;
    }
    return await E2eBenchmark.RunAsync(rtt, session == "up", alerts, transport == "modem");
}
Console.Error.WriteLine("usage: PanicDevice.Bench e2e --rtt MS [--session up|cold] [--alerts N] [--transport modem|socket]");
return 2;
