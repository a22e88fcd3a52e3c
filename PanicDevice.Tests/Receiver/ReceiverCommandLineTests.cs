using PanicDevice.Bench.Engines;
using PanicDevice.Tests.Support;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using PanicDevice.Receiver;

namespace PanicDevice.Tests.Receiver;

/// <summary>
/// Issue 14, item 8: the receiver's command line as a user meets it (the real program, run as a process): --help starts
/// nothing, a typo is refused with a suggestion, a port in use is one line naming it, and the exit codes are documented.
/// </summary>
[TestClass]
public class ReceiverCommandLineTests
{
    private static (int Code, string Out, string Err) Run(string workingDirectory, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "PanicDevice.Receiver.dll"));
        foreach (string a in args) psi.ArgumentList.Add(a);
        using Process p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(60_000))
        {
            p.Kill(true);
            Assert.Fail("the receiver did not exit within 60 s: " + output);
        }
        return (p.ExitCode, output, err.Result);
    }

    private static string Folder() => Directory.CreateTempSubdirectory("pd-cmdline-").FullName;

    [TestMethod]
    public void HelpPrintsTheOptionsAndStartsNothing()
    {
        string dir = Folder();
        var (code, output, err) = Run(dir, "--help");
        Assert.AreEqual(ReceiverCommandLine.Stopped, code, err);
        StringAssert.Contains(output, "usage:");
        foreach (string option in new[] { "--urls", "--data", "--store", "--key-file", "--mqtt-port", "--broker", "--request-log" })
        {
            StringAssert.Contains(output, option);
        }
        StringAssert.Contains(output, "exit codes: 0 stopped, 2 bad command line");
        Assert.IsEmpty(Directory.GetFileSystemEntries(dir), "nothing was created: no data folder, no store, no token");
    }

    [TestMethod]
    public void AMistypedOptionIsRefusedWithTheOneMeant()
    {
        string dir = Folder();
        var (code, _, err) = Run(dir, "--mqtt-prot", "1884");
        Assert.AreEqual(ReceiverCommandLine.BadCommandLine, code);
        Assert.AreEqual("panicdevice-receiver: unknown option --mqtt-prot (did you mean --mqtt-port?); --help lists them", err.Trim());
        Assert.IsEmpty(Directory.GetFileSystemEntries(dir));
    }

    [TestMethod]
    public void OptionsAreCheckedBeforeAnythingStarts()
    {
        Assert.IsNull(ReceiverCommandLine.Problem(new[] { "--urls", "http://127.0.0.1:0", "--data", "d", "--mqtt-port=0", "--Logging:LogLevel:Default", "Warning", "--Receiver:Webhooks:0:Url", "http://x" }));
        Assert.AreEqual("option --data needs a value", ReceiverCommandLine.Problem(new[] { "--data" }));
        Assert.AreEqual("option --data needs a value", ReceiverCommandLine.Problem(new[] { "--data", "--mqtt-port", "1" }));
        StringAssert.StartsWith(ReceiverCommandLine.Problem(new[] { "serve" })!, "unexpected argument serve");
        Assert.AreEqual("unknown option --frobnicate; --help lists them", ReceiverCommandLine.Problem(new[] { "--frobnicate", "1" }));
        StringAssert.Contains(ReceiverCommandLine.Problem(new[] { "--keyfile", "k" })!, "did you mean --key-file?");
    }

    [TestMethod]
    public void EveryBadSettingIsNamedInOneLineAndNothingIsCreated()
    {
        string dir = Folder();
        // One from the command line, one from appsettings.json's section, one a configuration path: bound alike.
        File.WriteAllText(Path.Combine(dir, "appsettings.json"), "{\"Receiver\": {\"CapSender\": \"two words\"}}");
        var (code, output, err) = Run(dir, "--mqtt-port", "70000", "--Receiver:DeviceRateLimit:Burst", "0", "--data", Path.Combine(dir, "data"));
        Assert.AreEqual(ReceiverCommandLine.BadCommandLine, code, output + err);
        string line = err.Trim();
        Assert.AreEqual(1, line.Split('\n').Length, err);
        StringAssert.StartsWith(line, "panicdevice-receiver: ");
        StringAssert.Contains(line, "--mqtt-port must be 0 (off) or a TCP port 1..65535");
        StringAssert.Contains(line, "Receiver:DeviceRateLimit needs PerSecond >= 0 (0: off) and Burst >= 1");
        StringAssert.Contains(line, "--cap-sender must be 1..255 characters without spaces");
        Assert.IsFalse(Directory.Exists(Path.Combine(dir, "data")), "refused before the data folder, store or tokens were made");
    }

    [TestMethod]
    public void ATypoInTheRoutesOrAnArcsKeyStopsTheReceiverAtStartWithoutEchoingTheKey()
    {
        string dir = Folder();
        const string shortKey = "00112233445566778899AABBCCDDEE"; // 30 hex digits: one byte short
        File.WriteAllText(Path.Combine(dir, "appsettings.json"), $$"""
            { "Receiver": {
                "Webhooks": [ { "Url": "http://127.0.0.1:9/hook", "Secret": "webhook-secret-0123456789", "Name": "112" } ],
                "Arcs": [ { "Name": "central", "Host": "127.0.0.1", "Port": 9, "LinePrefix": "1",
                            "Accounts": [ { "Account": "1234", "Key": "{{shortKey}}", "Zones": { "wall-0001": 1 } } ] } ],
                "Routes": [ { "Name": "shops", "Kinds": [ "holdup" ], "Targets": [ "arc:centrl" ] } ],
                "DefaultRoute": [ "webhook:112" ] } }
            """);
        var (code, output, err) = Run(dir, "--data", Path.Combine(dir, "data"));
        Assert.AreEqual(ReceiverCommandLine.BadCommandLine, code, output + err);
        string line = err.Trim();
        Assert.AreEqual(1, line.Split('\n').Length, err);
        StringAssert.Contains(line, "Receiver:Routes:0:Targets: no target \"arc:centrl\" (configured: webhook:112, arc:central)");
        StringAssert.Contains(line, "Receiver:Arcs:0:Accounts:0: Key must be 32, 48 or 64 hexadecimal digits");
        Assert.IsFalse(line.Contains(shortKey[..12], StringComparison.OrdinalIgnoreCase), "the key is never echoed: " + line);
        Assert.IsFalse(Directory.Exists(Path.Combine(dir, "data")));
    }

    [TestMethod]
    public void APortInUseIsOneLineNamingThePortAndItsOption()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        int port = ((IPEndPoint)taken.LocalEndpoint).Port;
        string dir = Folder();

        var (code, output, err) = Run(dir, "--mqtt-port", port.ToString(), "--urls", "http://127.0.0.1:" + LoopbackPorts.Free(), "--data", Path.Combine(dir, "a"));
        Assert.AreEqual(ReceiverCommandLine.PortInUse, code, output + err);
        Assert.AreEqual("panicdevice-receiver: MQTT port " + port + " (--mqtt-port) on 127.0.0.1 is in use by another program: stop it, or choose another port", err.Trim());
        Assert.IsFalse((output + err).Contains("   at "), "no stack trace: " + output);

        (code, output, err) = Run(dir, "--mqtt-port", LoopbackPorts.Free().ToString(), "--urls", "http://127.0.0.1:" + port, "--data", Path.Combine(dir, "b"));
        Assert.AreEqual(ReceiverCommandLine.PortInUse, code, output + err);
        StringAssert.Contains(err, "http://127.0.0.1:" + port);
        StringAssert.Contains(err, "(--urls)");
        Assert.AreEqual(1, err.Trim().Split('\n').Length, err);
        Assert.IsFalse((output + err).Contains("   at "), "no stack trace: " + output);
    }
}
