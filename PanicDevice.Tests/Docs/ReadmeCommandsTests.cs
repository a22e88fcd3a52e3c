using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using PanicDevice.Tests.Guard;

namespace PanicDevice.Tests.Docs;

/// <summary>
/// The first hour of a newcomer: every shell command in the README and docs/provisioning.md, run verbatim with bash from
/// the root of a fresh copy of the repository (its tracked files only: no bin, obj, data or device files), in the
/// order the documents give them. Only commands that need a board or a serial port, and the test command that runs
/// this suite, are not run; the test says which. panicctl is the one the README installs (`dotnet tool update -g`,
/// into a private tool folder).
/// </summary>
[TestClass]
public class ReadmeCommandsTests
{
    private static readonly string[] Documents = { "README.md", "docs/provisioning.md" };

    private enum Kind { Run, Background, Board, Suite }

    private sealed record Command(string Document, string Text, Kind Kind);

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [DoNotParallelize] // the README's commands use the fixed ports 8080 and 1883, and build a copy of the repository
    public void EveryReadmeAndProvisioningCommandWorksVerbatimFromTheRootOfAFreshClone()
    {
        var commands = Documents.SelectMany(d => Extract(d, File.ReadAllText(Path.Combine(RepositoryRoot.Path, d)))).ToList();
        foreach (var c in commands)
        {
            TestContext.WriteLine(c.Kind.ToString().PadRight(10) + " " + c.Text);
        }
        Assert.IsGreaterThanOrEqualTo(12, commands.Count(c => c.Kind is Kind.Run or Kind.Background), "the documents' runnable commands were found");
        foreach (int port in new[] { 8080, 1883 })
        {
            if (!PortFree(port))
            {
                Assert.Inconclusive("port " + port + " is in use by another program; the README's commands need it (not run)");
            }
        }

        string scratch = Path.Combine(Path.GetTempPath(), "pd-readme-" + Guid.NewGuid().ToString("N")[..8]);
        string clone = Path.Combine(scratch, "PanicDevice");
        var background = new List<(Command Command, Process Process, StringBuilder Output)>();
        try
        {
            var tracked = CopyRepository(clone);
            var env = NewcomerShell(scratch);
            foreach (var c in commands)
            {
                switch (c.Kind)
                {
                    case Kind.Run when c.Text.StartsWith("export ", StringComparison.Ordinal):
                    {
                        string name = Regex.Match(c.Text, @"^export (\w+)=").Groups[1].Value;
                        var (code, output) = Run(clone, env, c.Text + "; printf '%s' \"$" + name + "\"", TimeSpan.FromMinutes(1));
                        Assert.AreEqual(0, code, c.Text + "\n" + output);
                        env[name] = output.TrimEnd('\n', '\r'); // the reader adds a line break printf did not print
                        break;
                    }
                    case Kind.Run:
                    {
                        var clock = Stopwatch.StartNew();
                        var (code, output) = Run(clone, env, c.Text, TimeSpan.FromMinutes(10));
                        TestContext.WriteLine("ran in " + clock.Elapsed.TotalSeconds.ToString("0.0") + " s: " + c.Text);
                        Assert.AreEqual(0, code, "README command failed (" + c.Document + "):\n" + c.Text + "\n" + output);
                        break;
                    }
                    case Kind.Background:
                    {
                        var (process, output) = Start(clone, env, c.Text);
                        background.Add((c, process, output));
                        if (c.Text.Contains("PanicDevice.Receiver", StringComparison.Ordinal))
                        {
                            // Where the README's later commands look for the token: data/ under the repository root.
                            WaitFor(() => File.Exists(Path.Combine(clone, "data", "operator-token")) && Healthy(), process, output, c.Text, TimeSpan.FromMinutes(5));
                        }
                        else if (c.Text.Contains(" demo", StringComparison.Ordinal))
                        {
                            WaitFor(() => output.ToString().Contains("running; press Ctrl-C to stop"), process, output, c.Text, TimeSpan.FromMinutes(5));
                            Stop(process);
                            string said = output.ToString();
                            StringAssert.Contains(said, "device feedback: Acknowledged");
                            StringAssert.Contains(said, "dashboard: http://127.0.0.1:8080/");
                            Assert.AreEqual(0, process.ExitCode, "the demo stops cleanly on Ctrl-C:\n" + said);
                        }
                        else
                        {
                            WaitFor(() => output.ToString().Contains("Ctrl-C to stop"), process, output, c.Text, TimeSpan.FromMinutes(1));
                        }
                        break;
                    }
                }
            }

            var tail = background.Single(b => b.Command.Text.Contains("alerts tail", StringComparison.Ordinal));
            string followed = "";
            // The no-data panic reaches operators by SMS: a new alert, or (the device's earlier panic still open) the same incident pressed again.
            WaitFor(() => (followed = tail.Output.ToString()).Contains("received-sms") || followed.Contains("pressed-again-sms"), tail.Process, tail.Output, tail.Command.Text, TimeSpan.FromSeconds(30));
            StringAssert.Contains(followed, "fob-0001 test", "alert test is followed by alerts tail");
            StringAssert.Contains(followed, "shop-0001 hold-up");
            StringAssert.Matches(followed, new Regex(@"fob-0001 panic \[new\] -6\.17\d+,106\.8\d+"), "the walk's position reaches the receiver");

            Assert.IsFalse(Directory.Exists(Path.Combine(clone, "tools", "PanicDevice.Receiver", "data")), "the receiver's data is where the README says, not in its project folder");
            // Everything the commands left in the clone is git-ignored, so a user's `git status` stays clean.
            foreach (string made in Made(clone, tracked))
            {
                var (code, output) = Run(RepositoryRoot.Path, new Dictionary<string, string?>(), "git check-ignore -q --no-index '" + made + "'", TimeSpan.FromSeconds(30));
                Assert.AreEqual(0, code, made + " is made by the documented commands but not git-ignored " + output);
            }
        }
        finally
        {
            foreach (var b in background)
            {
                Stop(b.Process);
            }
            try { Directory.Delete(scratch, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    [TestMethod]
    public void CommandsAreReadFromShellBlocksWithContinuationsAndBoardsSetApart()
    {
        const string doc = "text `dotnet run --project x` in prose\n```sh\nexport A=\"$(cat f)\"   \npanicctl provision --id a \\\n  --out b.json  # written\n# a comment\n"
            + "nanoff --listports\ntools/flash/flash.sh /dev/ttyUSB0 b.json x.bin ESP32\ndotnet test PanicDevice.Tests\npanicctl alerts tail\n```\n```json\n{ \"not\": \"a command\" }\n```\n";
        var got = Extract("d.md", doc).Select(c => c.Kind + ":" + c.Text).ToArray();
        CollectionAssert.AreEqual(new[]
        {
            "Run:export A=\"$(cat f)\"", "Run:panicctl provision --id a \\\n  --out b.json  # written", "Board:nanoff --listports",
            "Board:tools/flash/flash.sh /dev/ttyUSB0 b.json x.bin ESP32", "Suite:dotnet test PanicDevice.Tests", "Background:panicctl alerts tail",
        }, got);
    }

    private static IEnumerable<Command> Extract(string document, string text)
    {
        foreach (Match block in Regex.Matches(text, @"^```sh\n(.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline))
        {
            var lines = block.Groups[1].Value.Split('\n');
            for (int i = 0; i < lines.Length; i++)
            {
                string line = lines[i].TrimEnd();
                if (line.Length == 0 || line.StartsWith('#'))
                {
                    continue;
                }
                while (line.EndsWith('\\') && i + 1 < lines.Length)
                {
                    line += "\n" + lines[++i].TrimEnd();
                }
                yield return new Command(document, line, KindOf(line));
            }
        }
    }

    private static Kind KindOf(string command)
    {
        string code = Regex.Replace(command, @"\s#.*$", "", RegexOptions.Multiline);
        if (Regex.IsMatch(code, @"\bnanoff\b|/dev/tty|\bCOM\d|tools/flash/"))
        {
            return Kind.Board;
        }
        if (code.Trim() == "dotnet test PanicDevice.Tests")
        {
            return Kind.Suite;
        }
        if (code.Contains("tools/PanicDevice.Receiver", StringComparison.Ordinal) || code.Contains("alerts tail", StringComparison.Ordinal)
            || Regex.IsMatch(code, @"-- demo\s*$"))
        {
            return Kind.Background;
        }
        return Kind.Run;
    }

    /// <summary>What a clone holds: the files git tracks (and new ones not ignored), without build output or local data.</summary>
    private static HashSet<string> CopyRepository(string clone)
    {
        var (code, listing) = Run(RepositoryRoot.Path, new Dictionary<string, string?>(), "git ls-files -co --exclude-standard", TimeSpan.FromMinutes(1));
        Assert.AreEqual(0, code, "git ls-files: " + listing);
        var files = listing.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(f => File.Exists(Path.Combine(RepositoryRoot.Path, f))).ToList();
        foreach (string f in files)
        {
            string to = Path.Combine(clone, f);
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(Path.Combine(RepositoryRoot.Path, f), to);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(to, File.GetUnixFileMode(Path.Combine(RepositoryRoot.Path, f)));
            }
        }
        return files.ToHashSet();
    }

    /// <summary>Top-level files and folders under the clone root the commands made (build output is ignored already).</summary>
    private static IEnumerable<string> Made(string clone, HashSet<string> tracked)
    {
        var roots = tracked.Select(f => f.Split('/')[0]).ToHashSet();
        foreach (string path in Directory.EnumerateFileSystemEntries(clone))
        {
            string name = Path.GetFileName(path);
            if (!roots.Contains(name))
            {
                yield return Directory.Exists(path) ? name + "/" : name;
            }
        }
    }

    /// <summary>The newcomer's shell, with panicctl's tool folder private to this run and NuGet's cache shared.</summary>
    private static Dictionary<string, string?> NewcomerShell(string scratch)
    {
        string cliHome = Path.Combine(scratch, "dotnet-home");
        string packages = System.Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var env = new Dictionary<string, string?>
        {
            ["DOTNET_CLI_HOME"] = cliHome,
            ["NUGET_PACKAGES"] = packages,
            ["PATH"] = Path.Combine(cliHome, ".dotnet", "tools") + Path.PathSeparator + System.Environment.GetEnvironmentVariable("PATH"),
            ["DOTNET_NOLOGO"] = "1",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["PANICCTL_TOKEN"] = null,
            ["PANICCTL_GATEWAY_TOKEN"] = null,
        };
        // Set by the `dotnet test` that runs this suite; a newcomer's shell has none of them.
        foreach (string name in System.Environment.GetEnvironmentVariables().Keys.Cast<string>())
        {
            if (name.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || name.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)
                || name == "DOTNET_HOST_PATH")
            {
                env[name] = null;
            }
        }
        // No MSBuild worker left running after the test (a shell's builds may keep one for reuse; a test must not).
        env["MSBUILDDISABLENODEREUSE"] = "1";
        return env;
    }

    private static ProcessStartInfo Bash(string cwd, Dictionary<string, string?> env, string command, bool ownGroup)
    {
        var psi = new ProcessStartInfo(ownGroup ? "setsid" : "bash")
        {
            WorkingDirectory = cwd, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        if (ownGroup)
        {
            // As from a terminal: a test run started in the background of a script inherits SIGINT ignored (POSIX
            // shells do that to background jobs), and so would the command, which then could never see its Ctrl-C.
            psi.ArgumentList.Add("env");
            psi.ArgumentList.Add("--default-signal=INT");
            psi.ArgumentList.Add("bash");
        }
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(command);
        foreach (var (k, v) in env)
        {
            if (v == null) psi.Environment.Remove(k);
            else psi.Environment[k] = v;
        }
        return psi;
    }

    private static (Process, StringBuilder) Start(string cwd, Dictionary<string, string?> env, string command)
    {
        var output = new StringBuilder();
        var p = new Process { StartInfo = Bash(cwd, env, command, ownGroup: true) };
        p.OutputDataReceived += (_, e) => { if (e.Data != null) lock (output) output.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (output) output.AppendLine(e.Data); };
        p.Start();
        p.StandardInput.Close();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return (p, output);
    }

    private static (int, string) Run(string cwd, Dictionary<string, string?> env, string command, TimeSpan limit)
    {
        var (p, output) = Start(cwd, env, command);
        if (!p.WaitForExit(limit))
        {
            Stop(p);
            return (-1, "timed out after " + limit + ":\n" + output);
        }
        p.WaitForExit();
        lock (output) return (p.ExitCode, output.ToString());
    }

    /// <summary>Ctrl-C as a terminal sends it (SIGINT to the command's process group), then a kill if it lingers.</summary>
    private static void Stop(Process p)
    {
        if (p.HasExited) return;
        using (var kill = Process.Start("kill", new[] { "-INT", "--", "-" + p.Id }))
        {
            kill.WaitForExit();
        }
        if (!p.WaitForExit(20_000))
        {
            using var hard = Process.Start("kill", new[] { "-KILL", "--", "-" + p.Id });
            hard.WaitForExit();
            p.WaitForExit(5_000);
        }
    }

    private static void WaitFor(Func<bool> ready, Process p, StringBuilder output, string command, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (!ready())
        {
            if (p.HasExited && !ready())
            {
                Assert.Fail("stopped before it was ready (exit " + p.ExitCode + "): " + command + "\n" + output);
            }
            if (clock.Elapsed > limit)
            {
                Assert.Fail("not ready within " + limit + ": " + command + "\n" + output);
            }
            Thread.Sleep(200);
        }
    }

    private static bool Healthy()
    {
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            return http.GetAsync("http://127.0.0.1:8080/healthz").Result.IsSuccessStatusCode;
        }
        catch (Exception x) when (x is HttpRequestException or AggregateException or TaskCanceledException)
        {
            return false;
        }
    }

    private static bool PortFree(int port)
    {
        try
        {
            var l = new TcpListener(System.Net.IPAddress.Any, port);
            l.Start();
            l.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
