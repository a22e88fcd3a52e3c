using PanicDevice.Bench;

// dotnet run -c Release --project tools/PanicDevice.Bench -- e2e --rtt MS [--session up|cold] [--alerts N] [--transport modem|socket]
// dotnet run -c Release --project tools/PanicDevice.Bench -- ingest [--devices N] [--seconds S] [--window W] [--rate R] [--warmup S]
// dotnet run -c Release --project tools/PanicDevice.Bench -- pipeline [--devices N] [--seconds S] [--mode group|per-frame] [--store URL|local-postgres]
// dotnet run -c Release --project tools/PanicDevice.Bench -- idle [--devices N] [--settle S]
// dotnet run -c Release --project tools/PanicDevice.Bench -- fuzz --inputs N [--seed S]
// dotnet run -c Release --project tools/PanicDevice.Bench -- crash --trials N [--devices 100] [--alerts 10000] [--seed S]
// dotnet run -c Release --project tools/PanicDevice.Bench -- attack [--mqtt 4] [--declared-mb 250] [--posts 24] [--post-mb 25] [--seconds 10]
// dotnet run -c Release --project tools/PanicDevice.Bench -- dispatch [--events N] [--devices N] [--store URL|local-postgres]
// dotnet run -c Release --project tools/PanicDevice.Bench -- surge [--devices 10000] [--seconds 60] [--broker embedded|mosquitto] [--receivers N] [--store URL|local-postgres]
// dotnet run -c Release --project tools/PanicDevice.Bench -- scale [--receivers 2] [--devices 100] [--alerts 10000] [--kill|--no-kill] [--restart-after S] [--store URL|local-postgres]
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
    return await E2eBenchmark.RunAsync(rtt, session == "up", alerts, transport == "modem", args.Contains("--screen"));
}
if (args.Length > 0 && args[0] == "ingest")
{
    if (!int.TryParse(Arg("--devices", "100"), out int devices) || devices < 1 || !int.TryParse(Arg("--seconds", "10"), out int seconds) || seconds < 1
        || !int.TryParse(Arg("--window", "8"), out int window) || window < 1 || !int.TryParse(Arg("--warmup", "2"), out int warmup) || warmup < 0
        || !double.TryParse(Arg("--rate", "0"), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double rate) || rate < 0)
    {
        Console.Error.WriteLine("--devices, --seconds and --window take positive counts, --warmup seconds (0 or more), --rate alerts/s (0 = closed loop)");
        return 2;
    }
    return await IngestBenchmark.RunAsync(devices, seconds, window, rate, warmup);
}
if (args.Length > 0 && args[0] == "pipeline")
{
    if (!int.TryParse(Arg("--devices", "100"), out int devices) || devices < 1 || !int.TryParse(Arg("--seconds", "5"), out int seconds) || seconds < 1)
    {
        Console.Error.WriteLine("--devices and --seconds take positive counts");
        return 2;
    }
    string mode = Arg("--mode", "group");
    if (mode != "group" && mode != "per-frame")
    {
        Console.Error.WriteLine("--mode is group or per-frame");
        return 2;
    }
    return await PipelineBenchmark.RunAsync(devices, seconds, mode == "group", Arg("--store", "") is { Length: > 0 } store ? store : null);
}
if (args.Length > 0 && args[0] == "idle")
{
    if (!int.TryParse(Arg("--devices", "10000"), out int devices) || devices < 1 || !int.TryParse(Arg("--settle", "5"), out int settle) || settle < 0)
    {
        Console.Error.WriteLine("--devices takes a positive count and --settle seconds");
        return 2;
    }
    return await IdleBenchmark.RunAsync(devices, settle);
}
if (args.Length > 0 && args[0] == "fuzz")
{
    if (!long.TryParse(Arg("--inputs", "100000"), out long inputs) || inputs < 1 || !int.TryParse(Arg("--seed", "20261129"), out int seed))
    {
        Console.Error.WriteLine("--inputs takes a positive count and --seed an integer");
        return 2;
    }
    return PanicDevice.Bench.Fuzz.FuzzCommand.Run(inputs, seed);
}
if (args.Length > 0 && args[0] == "crash")
{
    if (!int.TryParse(Arg("--trials", "3"), out int trials) || trials < 1 || !int.TryParse(Arg("--devices", "100"), out int devices) || devices < 1
        || !int.TryParse(Arg("--alerts", "10000"), out int alerts) || alerts < devices || !int.TryParse(Arg("--seed", Random.Shared.Next().ToString()), out int seed))
    {
        Console.Error.WriteLine("--trials and --devices take positive counts, --alerts (per trial) at least one per device, --seed an integer");
        return 2;
    }
    return await CrashBenchmark.RunAsync(trials, devices, alerts, seed);
}
if (args.Length > 0 && args[0] == "scale")
{
    if (!int.TryParse(Arg("--receivers", "2"), out int receivers) || receivers < 1 || !int.TryParse(Arg("--devices", "100"), out int devices) || devices < 1
        || !int.TryParse(Arg("--alerts", "10000"), out int alerts) || alerts < devices)
    {
        Console.Error.WriteLine("--receivers and --devices take positive counts, --alerts at least one per device");
        return 2;
    }
    // one receiver cannot be killed and leave another to take over: --kill needs two
    bool kill = !args.Contains("--no-kill") && receivers > 1;
    if (args.Contains("--kill") && args.Contains("--no-kill"))
    {
        Console.Error.WriteLine("--kill or --no-kill, not both");
        return 2;
    }
    if (args.Contains("--kill") && receivers < 2)
    {
        Console.Error.WriteLine("--kill needs at least 2 receivers (another must take over while the killed one is down)");
        return 2;
    }
    int s = Array.IndexOf(args, "--store");
    if (s >= 0 && s + 1 >= args.Length)
    {
        Console.Error.WriteLine("--store takes a URL (sqlite:///ABSOLUTE/PATH, postgres://user:pass@host/db) or local-postgres");
        return 2;
    }
    double? restartAfter = null;
    if (args.Contains("--restart-after"))
    {
        if (!kill || !double.TryParse(Arg("--restart-after", ""), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double after) || after < 0)
        {
            Console.Error.WriteLine("--restart-after takes the seconds after the kill at which receiver 0 is started again (as systemd's RestartSec would), and needs a kill");
            return 2;
        }
        restartAfter = after;
    }
    return await PanicDevice.Bench.Scale.ScaleBenchmark.RunAsync(receivers, devices, alerts, kill, s >= 0 ? args[s + 1] : null, restartAfter);
}
if (args.Length > 0 && args[0] == "dispatch")
{
    if (!int.TryParse(Arg("--events", "10000"), out int events) || events < 1 || !int.TryParse(Arg("--devices", "100"), out int devices) || devices < 1)
    {
        Console.Error.WriteLine("--events and --devices take positive counts");
        return 2;
    }
    return await DispatchBenchmark.RunAsync(events, devices, Arg("--store", "") is { Length: > 0 } store ? store : null);
}
if (args.Length > 0 && args[0] == "surge")
{
    if (!int.TryParse(Arg("--devices", "10000"), out int devices) || devices < 1 || !int.TryParse(Arg("--seconds", "60"), out int seconds) || seconds < 1
        || !int.TryParse(Arg("--receivers", "1"), out int receivers) || receivers < 1)
    {
        Console.Error.WriteLine("--devices, --seconds and --receivers take positive counts");
        return 2;
    }
    string surgeBroker = Arg("--broker", "embedded");
    if (surgeBroker is not ("embedded" or "mosquitto") || (receivers > 1 && surgeBroker != "mosquitto"))
    {
        Console.Error.WriteLine("--broker is embedded (one receiver) or mosquitto (any number of receivers, which split the uplinks)");
        return 2;
    }
    return await SurgeBenchmark.RunAsync(devices, seconds, receivers, surgeBroker == "mosquitto", Arg("--store", "") is { Length: > 0 } surgeStore ? surgeStore : null);
}
if (args.Length > 0 && args[0] == "attack")
{
    if (!int.TryParse(Arg("--mqtt", "4"), out int mqtt) || mqtt < 0 || !int.TryParse(Arg("--declared-mb", "250"), out int declared) || declared < 1 || declared > 255
        || !int.TryParse(Arg("--posts", "24"), out int posts) || posts < 0 || !int.TryParse(Arg("--post-mb", "25"), out int postMb) || postMb < 1
        || !int.TryParse(Arg("--seconds", "10"), out int seconds) || seconds < 1)
    {
        Console.Error.WriteLine("--mqtt and --posts take counts (0 or more), --declared-mb 1..255 (an MQTT length field holds up to 268 MB), --post-mb and --seconds positive numbers");
        return 2;
    }
    return await AttackBenchmark.RunAsync(mqtt, declared, posts, postMb, seconds);
}
if (args.Length > 0 && args[0] == "receiver-host")
{
    // the child process of "idle" and "surge": a receiver with the bench devices registered; options after "--" go to the receiver
    int dashes = Array.IndexOf(args, "--");
    return await IdleBenchmark.HostAsync(int.Parse(Arg("--devices", "1")), int.Parse(Arg("--mqtt-port", "1883")), Arg("--data", "pd-bench-data"),
        dashes >= 0 ? args[(dashes + 1)..] : null);
}
Console.Error.WriteLine("usage: PanicDevice.Bench ingest [--devices N] [--seconds S] [--window W] [--rate R] [--warmup S] | pipeline [--devices N] [--seconds S] [--mode group|per-frame] [--store URL|local-postgres] | idle [--devices N] [--settle S] | fuzz --inputs N [--seed S] | crash --trials N [--devices N] [--alerts N] [--seed S] | scale [--receivers N] [--devices N] [--alerts N] [--kill|--no-kill] [--restart-after S] [--store URL|local-postgres]");
Console.Error.WriteLine("usage: PanicDevice.Bench e2e --rtt MS [--session up|cold] [--alerts N] [--transport modem|socket]");
Console.Error.WriteLine("usage: PanicDevice.Bench dispatch [--events N] [--devices N] [--store URL|local-postgres] | surge [--devices N] [--seconds S] [--broker embedded|mosquitto] [--receivers N] [--store URL|local-postgres]");
Console.Error.WriteLine("usage: PanicDevice.Bench attack [--mqtt N] [--declared-mb MB] [--posts N] [--post-mb MB] [--seconds S]");
return 2;
