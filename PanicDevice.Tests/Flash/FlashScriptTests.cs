using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using PanicDevice.Tests.Guard;

namespace PanicDevice.Tests.Flash;

/// <summary>
/// tools/flash pins one nanoCLR image (nanoff --update --fwversion) in both scripts, the tester's checklist names it,
/// and the scripts stop before deploying when the device's runtime differs from the app build. The script runs use a
/// stand-in nanoff that records its arguments and prints canned --devicedetails output.
/// </summary>
[TestClass]
public class FlashScriptTests
{
    private static string FlashDir => Path.Combine(RepositoryRoot.Path, "tools", "flash");

    private static string ShPin()
    {
        Match m = Regex.Match(File.ReadAllText(Path.Combine(FlashDir, "flash.sh")), @"^NANOCLR_VERSION=""([^""]*)""", RegexOptions.Multiline);
        Assert.IsTrue(m.Success, "flash.sh has no NANOCLR_VERSION=\"...\" line");
        return m.Groups[1].Value;
    }

    private static string Ps1Pin()
    {
        Match m = Regex.Match(File.ReadAllText(Path.Combine(FlashDir, "flash.ps1")), @"^\$PinnedNanoclrVersion = ""([^""]*)""", RegexOptions.Multiline);
        Assert.IsTrue(m.Success, "flash.ps1 has no $PinnedNanoclrVersion = \"...\" line");
        return m.Groups[1].Value;
    }

    [TestMethod]
    public void BothScriptsPinTheSameFourPartVersion()
    {
        Assert.AreEqual(ShPin(), Ps1Pin(), "flash.sh and flash.ps1 pin different nanoCLR versions");
        StringAssert.Matches(ShPin(), new Regex(@"^\d+\.\d+\.\d+\.\d+$"), "nanoff --fwversion takes the Cloudsmith version, e.g. 1.17.0.456");
    }

    [TestMethod]
    public void EveryFirmwareUpdateCarriesTheVersion()
    {
        foreach (string script in new[] { "flash.sh", "flash.ps1" })
        {
            var updates = File.ReadAllLines(Path.Combine(FlashDir, script))
                .Where(l => l.Contains("--update", StringComparison.Ordinal) && !l.TrimStart().StartsWith('#')).ToList();
            Assert.IsTrue(updates.Count > 0, script + " runs no nanoff --update");
            foreach (string line in updates)
                StringAssert.Matches(line, new Regex(@"--update --fwversion (""\$fwversion""|\$FwVersion) --masserase"), script + ": " + line.Trim());
        }
    }

    [TestMethod]
    public void TheChecklistAndReadmeNameThePinnedVersion()
    {
        string pin = ShPin();
        string doc = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docs", "testing-on-hardware.md"));
        int start = doc.IndexOf("## Which nanoCLR image, and why", StringComparison.Ordinal);
        Assert.IsTrue(start >= 0, "docs/testing-on-hardware.md has no section \"Which nanoCLR image, and why\"");
        int end = doc.IndexOf("\n## ", start + 3, StringComparison.Ordinal);
        string section = end < 0 ? doc[start..] : doc[start..end];
        StringAssert.Contains(section, "`" + pin + "`");
        StringAssert.Contains(section, "--fwversion " + pin);
        StringAssert.Contains(section, "0x1549C856");
        StringAssert.Contains(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "README.md")), "--fwversion " + pin);
    }

    [TestMethod]
    public void FlashShFlashesThePinThenChecksTheRuntime()
    {
        using var rig = new Rig("sh");
        var ok = rig.Run(Rig.Details(ShPin(), 0x1549C856, 0x8EFB9944));
        Assert.AreEqual(0, ok.ExitCode, ok.Output);
        StringAssert.Contains(ok.Log[0], "--update --fwversion " + ShPin() + " --masserase");
        StringAssert.Contains(ok.Log[1], "--nanodevice --serialport " + Rig.Port + " --devicedetails");
        Assert.IsTrue(ok.Log.Any(l => l.Contains("--deploy", StringComparison.Ordinal)), ok.Output);
        StringAssert.Contains(ok.Output, "registers the native checksums of all 2 assemblies");
    }

    [TestMethod]
    public void FlashShDeploysNothingWhenAChecksumDiffers()
    {
        using var rig = new Rig("sh");
        var bad = rig.Run(Rig.Details(ShPin(), 0x1549C856, 0x6DFA71D6));
        Assert.AreEqual(3, bad.ExitCode, bad.Output);
        StringAssert.Contains(bad.Output, "System.Net needs native checksum 0x8EFB9944; the device registers 0x6DFA71D6.");
        Assert.IsFalse(bad.Log.Any(l => l.Contains("--deploy", StringComparison.Ordinal)), bad.Output);
    }

    [TestMethod]
    public void FlashShStopsWhenTheOldRuntimeIsStillThere()
    {
        using var rig = new Rig("sh");
        var stale = rig.Run(Rig.Details("1.16.0.568", 0x1549C856, 0x8EFB9944));
        Assert.AreEqual(3, stale.ExitCode, stale.Output);
        StringAssert.Contains(stale.Output, "the firmware update did not take");
    }

    [TestMethod]
    public void FlashShOverrideIsLoudAndReachesNanoff()
    {
        using var rig = new Rig("sh");
        var over = rig.Run(Rig.Details("1.17.0.999", 0x1549C856, 0x8EFB9944), ("PANICDEVICE_NANOCLR_VERSION", "1.17.0.999"));
        Assert.AreEqual(0, over.ExitCode, over.Output);
        StringAssert.Contains(over.Output, "nanoCLR OVERRIDE: flashing 1.17.0.999, not the pinned " + ShPin());
        StringAssert.Contains(over.Log[0], "--fwversion 1.17.0.999");
    }

    [TestMethod]
    public void FlashShOnlyWarnsWhenTheDeviceCannotBeRead()
    {
        using var rig = new Rig("sh");
        var unread = rig.Run("no device here", ("NANOFF_DETAILS_RC", "1"));
        Assert.AreEqual(0, unread.ExitCode, unread.Output);
        StringAssert.Contains(unread.Output, "WARNING: could not read the device's details");
        Assert.IsTrue(unread.Log.Any(l => l.Contains("--deploy", StringComparison.Ordinal)), unread.Output);
    }

    [TestMethod]
    public void FlashPs1FlashesThePinAndDeploysNothingWhenAChecksumDiffers()
    {
        using var rig = new Rig("ps1");
        var ok = rig.Run(Rig.Details(Ps1Pin(), 0x1549C856, 0x8EFB9944));
        Assert.AreEqual(0, ok.ExitCode, ok.Output);
        StringAssert.Contains(ok.Log[0], "--update --fwversion " + Ps1Pin() + " --masserase");
        Assert.IsTrue(ok.Log.Any(l => l.Contains("--deploy", StringComparison.Ordinal)), ok.Output);

        using var rig2 = new Rig("ps1");
        var bad = rig2.Run(Rig.Details(Ps1Pin(), 0x1549C856, 0x6DFA71D6));
        Assert.AreNotEqual(0, bad.ExitCode, bad.Output);
        StringAssert.Contains(bad.Output, "System.Net needs native checksum 0x8EFB9944; the device registers 0x6DFA71D6.");
        Assert.IsFalse(bad.Log.Any(l => l.Contains("--deploy", StringComparison.Ordinal)), bad.Output);

        using var rig3 = new Rig("ps1");
        var over = rig3.Run(Rig.Details("1.17.0.999", 0x1549C856, 0x8EFB9944), ("PANICDEVICE_NANOCLR_VERSION", "1.17.0.999"));
        Assert.AreEqual(0, over.ExitCode, over.Output);
        StringAssert.Contains(over.Output, "nanoCLR OVERRIDE: flashing 1.17.0.999");
        StringAssert.Contains(over.Log[0], "--fwversion 1.17.0.999");
    }

    // What panicctl provision writes (indented JSON), with a key that passes provisioning.
    private const string ProvisionedJson = "{\n  \"deviceId\": \"fob-0007\",\n  \"key\": \"9f3c2a7be1d04f6a8c5e7b2d1a9f0e3c4b6d8f1a2c3e5b7d9f0a1c2e4b6d8f0a\",\n" +
        "  \"kind\": \"fob\",\n  \"owner\": {\n    \"name\": \"Siti Rahma\",\n    \"phone\": \"+6281234567890\"\n  },\n  \"emergencyNumber\": \"\",\n" +
        "  \"broker\": {\n    \"host\": \"alerts.example.org\",\n    \"port\": 1883\n  }\n}\n";

    private const long CounterEpochS = 1735689600; // 2025-01-01T00:00:00Z

    private static long ClockFloor() => DateTimeOffset.UtcNow.ToUnixTimeSeconds() - CounterEpochS;

    /// <summary>The counter floor Core reads from the device.json the script deployed (the whole file must still be valid).</summary>
    private static long DeployedFloor(Rig rig)
    {
        string deployed = rig.Deployed ?? throw new AssertFailedException("nothing was deployed to I:\\device.json");
        var config = PanicDevice.Core.Config.DeviceConfigReader.Read(deployed);
        Assert.IsNull(config.Error, "Core refuses the deployed device.json: " + config.Error + "\n" + deployed);
        Assert.AreEqual("fob-0007", config.Config.DeviceId);
        return config.Config.CounterFloor;
    }

    [TestMethod]
    public void FlashShDeploysDeviceJsonWithACounterFloorFromTheClockAndLeavesTheFileAlone()
    {
        // The mass erase empties the device's counter; the same device.json goes back. Without a floor the counter would
        // start again at 1 under the same key, and a new alert would carry a counter the receiver has already stored.
        using var rig = new Rig("sh") { DeviceJson = ProvisionedJson };
        long before = ClockFloor();
        var run = rig.Run(Rig.Details(ShPin(), 0x1549C856, 0x8EFB9944));
        long after = ClockFloor();
        Assert.AreEqual(0, run.ExitCode, run.Output);
        long floor = DeployedFloor(rig);
        Assert.IsTrue(floor >= before && floor <= after, "floor " + floor + " is not the seconds since 2025 (" + before + "…" + after + ")");
        StringAssert.Contains(run.Output, "counterFloor " + floor);
        Assert.AreEqual(ProvisionedJson, rig.DeviceJson, "the tester's file is not changed");
    }

    [TestMethod]
    public void FlashShTakesTheHighestOfTheClockTheFileAndTheOption()
    {
        using var rig = new Rig("sh") { DeviceJson = ProvisionedJson.Replace("\"kind\"", "\"counterFloor\": 3000000000,\n  \"kind\"") };
        Assert.AreEqual(0, rig.Run(Rig.Details(ShPin(), 0x1549C856, 0x8EFB9944)).ExitCode);
        Assert.AreEqual(3000000000L, DeployedFloor(rig), "the file's own floor is above the clock's");

        rig.Arguments = new[] { "--counter-floor", "3500000000" };
        Assert.AreEqual(0, rig.Run(Rig.Details(ShPin(), 0x1549C856, 0x8EFB9944)).ExitCode);
        Assert.AreEqual(3500000000L, DeployedFloor(rig), "--counter-floor above both");

        rig.DeviceJson = ProvisionedJson;
        rig.Arguments = new[] { "--counter-floor", "7" };
        Assert.AreEqual(0, rig.Run(Rig.Details(ShPin(), 0x1549C856, 0x8EFB9944)).ExitCode);
        Assert.IsTrue(DeployedFloor(rig) >= ClockFloor() - 5, "a lower --counter-floor never lowers the clock's floor");
    }

    [TestMethod]
    [DataRow("abc", "", "--counter-floor takes a whole number")]
    [DataRow("4227858431", "", "above 4227858430")]
    [DataRow("", "1700000000", "clock is before 2025")]
    public void FlashShRefusesBeforeErasingAnythingWhenNoSafeFloorCanBeSet(string option, string fakeNow, string expected)
    {
        using var rig = new Rig("sh") { DeviceJson = ProvisionedJson };
        if (option.Length > 0)
            rig.Arguments = new[] { "--counter-floor", option };
        var run = rig.Run(Rig.Details(ShPin(), 0x1549C856, 0x8EFB9944), ("FAKE_NOW_S", fakeNow));
        Assert.AreEqual(2, run.ExitCode, run.Output);
        StringAssert.Contains(run.Output, expected);
        Assert.AreEqual(0, run.Log.Length, "nanoff ran (the device would be erased): " + string.Join(" | ", run.Log));
    }

    [TestMethod]
    public void FlashPs1DeploysDeviceJsonWithTheHighestCounterFloor()
    {
        using var rig = new Rig("ps1") { DeviceJson = ProvisionedJson };
        long before = ClockFloor();
        var run = rig.Run(Rig.Details(Ps1Pin(), 0x1549C856, 0x8EFB9944));
        Assert.AreEqual(0, run.ExitCode, run.Output);
        long floor = DeployedFloor(rig);
        Assert.IsTrue(floor >= before && floor <= ClockFloor(), "floor " + floor + " is not the seconds since 2025");
        Assert.AreEqual(ProvisionedJson, rig.DeviceJson, "the tester's file is not changed");

        rig.Arguments = new[] { "-CounterFloor", "3500000000" };
        Assert.AreEqual(0, rig.Run(Rig.Details(Ps1Pin(), 0x1549C856, 0x8EFB9944)).ExitCode);
        Assert.AreEqual(3500000000L, DeployedFloor(rig));
    }

    [TestMethod]
    [DataRow("sh")]
    [DataRow("ps1")]
    public void ALiveEmergencyNumberIsNotFlashedUnlessTheTesterSaysSo(string kind)
    {
        // A bench test triggers the SMS fallback; with "emergencyNumber": "112" that texts the real 112.
        using var rig = new Rig(kind) { DeviceJson = ProvisionedJson.Replace("\"emergencyNumber\": \"\"", "\"emergencyNumber\": \"112\"") };
        var run = rig.Run(Rig.Details(ShPin(), 0x1549C856, 0x8EFB9944));
        Assert.AreNotEqual(0, run.ExitCode, run.Output);
        StringAssert.Contains(run.Output, "texts an emergency service");
        StringAssert.Contains(run.Output, kind == "sh" ? "--live-emergency-number" : "-LiveEmergencyNumber");
        Assert.AreEqual(0, run.Log.Length, "nanoff ran: " + string.Join(" | ", run.Log));

        rig.Arguments = new[] { kind == "sh" ? "--live-emergency-number" : "-LiveEmergencyNumber" };
        run = rig.Run(Rig.Details(ShPin(), 0x1549C856, 0x8EFB9944));
        Assert.AreEqual(0, run.ExitCode, run.Output);
        StringAssert.Contains(rig.Deployed!, "\"emergencyNumber\": \"112\"");
    }

    [TestMethod]
    [DataRow("sh")]
    [DataRow("ps1")]
    public void AConfigTheDeviceWouldRefuseIsNotFlashedAndTheDevicesErrorIsShown(string kind)
    {
        using var rig = new Rig(kind) { DeviceJson = ProvisionedJson.Replace("+6281234567890", "0812-3456-7890") };
        var run = rig.Run(Rig.Details(ShPin(), 0x1549C856, 0x8EFB9944));
        Assert.AreNotEqual(0, run.ExitCode, run.Output);
        StringAssert.Contains(run.Output, "owner.phone must be a phone number");
        StringAssert.Contains(run.Output, "nothing was flashed");
        Assert.AreEqual(0, run.Log.Length, "nanoff ran (the device would be erased): " + string.Join(" | ", run.Log));
    }

    /// <summary>A temporary app build (a .bin and three .pe files), a device.json and a stand-in nanoff on PATH.</summary>
    private sealed class Rig : IDisposable
    {
        public const string Port = "/dev/ttyFAKE0";
        private readonly string _dir = Directory.CreateTempSubdirectory("pd-flash-").FullName;
        private readonly string _shell;
        private readonly string _script;

        public Rig(string kind)
        {
            if (OperatingSystem.IsWindows())
                Assert.Inconclusive("the stand-in nanoff is a bash script");
            string shell = kind == "sh" ? "bash" : "pwsh";
            _shell = Which(shell)!;
            if (_shell == null)
                Assert.Inconclusive(shell + " is not installed, so flash." + kind + " was not run");
            _script = Path.Combine(FlashDir, "flash." + kind);
            string bin = Directory.CreateDirectory(Path.Combine(_dir, "bin")).FullName;
            File.WriteAllBytes(Path.Combine(bin, "PanicDevice.Firmware.bin"), new byte[] { 1 });
            WritePe(Path.Combine(bin, "mscorlib.pe"), 0x1549C856);
            WritePe(Path.Combine(bin, "System.Net.pe"), 0x8EFB9944);
            WritePe(Path.Combine(bin, "PanicDevice.Firmware.pe"), 0);
            File.WriteAllText(Path.Combine(_dir, "device.json"), ProvisionedJson);
            string stub = Directory.CreateDirectory(Path.Combine(_dir, "stub")).FullName;
            File.WriteAllText(Path.Combine(stub, "nanoff"),
                "#!/usr/bin/env bash\n" +
                "echo \"nanoff $*\" >> \"$NANOFF_LOG\"\n" +
                "case \" $* \" in *\" --devicedetails \"*) cat \"$NANOFF_DETAILS\"; exit \"${NANOFF_DETAILS_RC:-0}\";; esac\n" +
                // --filedeployment PLAN: keep what would land on I:\ (the plan names the source file).
                "if [ \"$1\" = --filedeployment ]; then src=\"$(grep -oE '\"SourceFilePath\": *\"[^\"]*\"' \"$2\" | sed -E 's/.*\"([^\"]*)\"$/\\1/')\"; cat \"$src\" > \"$NANOFF_LOG.deployed\"; fi\n" +
                "exit 0\n");
            File.SetUnixFileMode(Path.Combine(stub, "nanoff"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            // date +%s answers $FAKE_NOW_S when it is set (a computer whose clock is wrong); anything else is the real date.
            File.WriteAllText(Path.Combine(stub, "date"),
                "#!/usr/bin/env bash\n" +
                "if [ -n \"${FAKE_NOW_S:-}\" ] && [ \"${*: -1}\" = \"+%s\" ]; then echo \"$FAKE_NOW_S\"; exit 0; fi\n" +
                "exec " + (Which("date") ?? "/bin/date") + " \"$@\"\n");
            File.SetUnixFileMode(Path.Combine(stub, "date"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        /// <summary>The device.json the script is given.</summary>
        public string DeviceJson
        {
            get => File.ReadAllText(Path.Combine(_dir, "device.json"));
            set => File.WriteAllText(Path.Combine(_dir, "device.json"), value);
        }

        /// <summary>Options before the positional arguments (flash.sh) or after them (flash.ps1).</summary>
        public string[] Arguments { get; set; } = Array.Empty<string>();

        /// <summary>What the last run deployed to I:\device.json, or null.</summary>
        public string? Deployed => File.Exists(Path.Combine(_dir, "nanoff.log.deployed")) ? File.ReadAllText(Path.Combine(_dir, "nanoff.log.deployed")) : null;

        /// <summary>What nanoff --nanodevice --devicedetails prints (nf-debugger NanoFrameworkDeviceInfo.ToString), trimmed.</summary>
        public static string Details(string clrVersion, uint mscorlib, uint systemNet) =>
            "\nHAL build info: nanoCLR running @ ESP32\n  Target:   ESP32_REV0\n  Platform: ESP32\n\nFirmware build Info:\n" +
            "  Date:        Jul 20 2026\n  Type:        MinSizeRel build\n  CLR Version: " + clrVersion + "\n\n" +
            "Assemblies:\n  mscorlib, 1.17.11.0\n\nNative Assemblies:\n" +
            $"  mscorlib v100.5.0.24, checksum 0x{mscorlib:X8}\n  nanoFramework.Runtime.Native v100.0.10.0, checksum 0x0EAE898B\n" +
            $"  System.Net v100.2.0.14, checksum 0x{systemNet:X8}\n";

        public (int ExitCode, string Output, string[] Log) Run(string details, params (string Name, string Value)[] env)
        {
            string detailsFile = Path.Combine(_dir, "details.txt"), log = Path.Combine(_dir, "nanoff.log");
            File.WriteAllText(detailsFile, details);
            File.Delete(log);
            File.Delete(log + ".deployed");
            var psi = new ProcessStartInfo(_shell) { WorkingDirectory = _dir, RedirectStandardOutput = true, RedirectStandardError = true };
            if (_shell.EndsWith("pwsh", StringComparison.Ordinal))
            {
                foreach (string a in new[] { "-NoProfile", "-NonInteractive", "-File", _script, "-Port", Port, "-Config", "device.json", "-Image", "bin/PanicDevice.Firmware.bin" }.Concat(Arguments))
                    psi.ArgumentList.Add(a);
            }
            else
            {
                foreach (string a in new[] { _script }.Concat(Arguments).Concat(new[] { Port, "device.json", "bin/PanicDevice.Firmware.bin" }))
                    psi.ArgumentList.Add(a);
            }
            psi.Environment["PATH"] = Path.Combine(_dir, "stub") + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH");
            psi.Environment["NANOFF_LOG"] = log;
            psi.Environment["NANOFF_DETAILS"] = detailsFile;
            psi.Environment["PANICDEVICE_BOOT_WAIT_S"] = "0";
            // The scripts check device.json with panicctl config check: the CLI this test run built.
            psi.Environment["PANICCTL"] = "dotnet " + Path.Combine(AppContext.BaseDirectory, "panicctl.dll");
            psi.Environment.Remove("PANICDEVICE_NANOCLR_VERSION");
            foreach (var (name, value) in env)
                psi.Environment[name] = value;
            using Process p = Process.Start(psi)!;
            var stderr = p.StandardError.ReadToEndAsync();
            string stdout = p.StandardOutput.ReadToEnd();
            if (!p.WaitForExit(120_000))
            {
                p.Kill(true);
                Assert.Fail("flash script did not finish in 120 s");
            }
            string output = Regex.Replace(stdout + stderr.Result, @"\x1b\[[0-9;]*m", "");
            return (p.ExitCode, output, File.Exists(log) ? File.ReadAllLines(log) : Array.Empty<string>());
        }

        private static void WritePe(string path, uint nativeChecksum)
        {
            var header = new byte[64];
            Encoding.ASCII.GetBytes("NFMRK1").CopyTo(header, 0);
            BitConverter.GetBytes(nativeChecksum).CopyTo(header, 20);
            File.WriteAllBytes(path, header);
        }

        private static string? Which(string exe) =>
            (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
                .Concat(new[] { Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools") })
                .Select(d => Path.Combine(d, exe)).FirstOrDefault(File.Exists);

        public void Dispose()
        {
            try { Directory.Delete(_dir, true); } catch (IOException) { }
        }
    }
}
